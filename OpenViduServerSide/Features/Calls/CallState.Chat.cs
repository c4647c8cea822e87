using System.Collections.Immutable;
using OpenViduServerSide.Features.Chat;

namespace OpenViduServerSide.Features.Calls;

/// <summary>The call's chat, as this page sees it: the conversation so far at join, then what this person sends.</summary>
public sealed partial class CallState
{
    /// <summary>The conversation so far, for someone who joins late or reloads; lines that came by signal meanwhile are kept.</summary>
    private async Task LoadChatAsync(string sessionName, string connectionId, int call)
    {
        if (directory.FindParticipant(sessionName, connectionId)?.CallId is not { } callId)
        {
            return;
        }

        var earlier = await chatRoom.ReadAsync(callId, callEnded.Token);
        if (epoch == call)
        {
            view = view with { Chat = MergeChat(view.Chat, earlier) };
            await ChangedAsync();
        }
    }

    private static ImmutableList<ChatLine> MergeChat(ImmutableList<ChatLine> shown, IEnumerable<ChatLine> more) =>
        [.. shown.Concat(more).DistinctBy(l => l.Id).OrderBy(l => l.Id)];

    /// <summary>Sends a chat message through the server; answers why it was not sent, or null.</summary>
    public async Task<string?> SendChatAsync(string text)
    {
        if (view.Phase != CallPhase.InCall)
        {
            return CallMessages.ChatNotInCall;
        }

        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var sent = await chatRoom.SendAsync(user, view.SessionName, text);
        if (sent.Line is { } line)
        {
            view = view with { Chat = MergeChat(view.Chat, [line]) };
            if (sent.Warning is { } warning)
            {
                Say(NoticeLevel.Warning, warning);
            }

            await ChangedAsync();
        }

        return sent.Refusal;
    }

    public Task ToggleChatAsync()
    {
        view = view with { ChatOpen = !view.ChatOpen, UnreadChat = 0 };
        return ChangedAsync();
    }
}
