using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Features.Calls;

/// <summary>Sharing the screen: a second connection of this person, started and stopped from the page or the browser.</summary>
public sealed partial class CallState
{
    public async Task StartScreenShareAsync()
    {
        if (view.Phase != CallPhase.InCall || screenConnectionId is not null || view.ScreenShareBusy)
        {
            return;
        }

        var call = epoch;
        var (session, userName, nickname) = (view.SessionName, view.UserName, view.Nickname);
        var abandoned = callEnded.Token;
        view = view with { ScreenShareBusy = true, Notice = null };
        await ChangedAsync();
        IssuedConnection? issued = null;
        try
        {
            issued = await issuer.IssueAsync(session, userName, nickname, ConnectionKind.Screen);
            if (epoch != call)
            {
                return;
            }

            // Known before the browser has it, so leaving or losing the circuit meanwhile releases it too.
            pendingScreenConnectionId = issued.ConnectionId;
            var result = await browser.TryShareScreenAsync(issued.Token, ConnectionData.ToClientData(nickname), abandoned);
            if (epoch != call)
            {
                return;
            }

            if (result is null)
            {
                Say(NoticeLevel.Warning, CallMessages.ScreenShareDidNotStart);
            }
            else if (result.ConnectionId is null || result.StreamId is null)
            {
                var error = result.Error ?? new JsError("ERROR", "no answer");
                LogPublishFailed(error.Name, error.Message);
                Say(NoticeLevel.Warning, CallMessages.DescribeDeviceError(error, "screen"));
            }
            else
            {
                screenConnectionId = issued.ConnectionId;
                issued = null;
                view = view with { SharingScreen = true };
                directory.MarkJoined(session, screenConnectionId);
                directory.UpdateMedia(session, screenConnectionId, result.StreamId, false, true);
            }
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            if (epoch == call)
            {
                Say(NoticeLevel.Error, message);
            }
        }
        finally
        {
            // Every way out but success (a refusal, a browser failure, a call that ended meanwhile, a bug) frees the
            // screen connection; OpenVidu then refuses it if the browser still tries to use it.
            if (issued is not null)
            {
                if (pendingScreenConnectionId == issued.ConnectionId)
                {
                    pendingScreenConnectionId = null;
                }

                await issuer.ReleaseAsync(session, issued.ConnectionId, CancellationToken.None);
            }

            if (epoch == call)
            {
                pendingScreenConnectionId = null;
                view = view with { ScreenShareBusy = false };
                await ChangedAsync();
            }
        }
    }

    public async Task StopScreenShareAsync()
    {
        if (screenConnectionId is not { } connectionId)
        {
            return;
        }

        var session = view.SessionName;
        screenConnectionId = null;
        view = view with { SharingScreen = false };
        // If the browser fails to, releasing below ends the share at OpenVidu, which disconnects its screen session anyway.
        await browser.TryStopScreenAsync();

        RemoveTiles(t => t.ConnectionId == connectionId);
        await issuer.ReleaseAsync(session, connectionId, CancellationToken.None);
        await ChangedAsync();
    }
}
