using System.Diagnostics;
using System.Text.Json.Nodes;

namespace OpenViduEmulator.Media;

/// <summary>
/// Recording in Janus mode (the emulator's README, "Recording"): the session's VideoRoom gets a recording folder
/// (<c>edit</c> with <c>new_rec_dir</c>) and records every publisher (<c>enable_recording</c>), one <c>.mjr</c> per
/// track; at the stop, <c>janus-pp-rec</c> (Debian's janus-tools) turns the largest video track into <c>name.webm</c>.
/// OpenVidu's COMPOSED recording mixes everyone into one mp4; Janus has no mixer, so the emulator's file holds one
/// publisher's video (the one with the most data).
/// </summary>
internal sealed partial class JanusMediaPlane
{
    private static readonly TimeSpan PostProcessingTimeout = TimeSpan.FromSeconds(60);

    public async Task StartRecordingAsync(string sessionId, string folder)
    {
        var janusFolder = Path.Combine(folder, "janus");
        Directory.CreateDirectory(janusFolder);
        var room = await RoomAsync(sessionId);
        await controlHandle.RequestAsync(new JsonObject { ["request"] = "edit", ["room"] = room, ["new_rec_dir"] = janusFolder }, null, disposing.Token);
        await controlHandle.RequestAsync(new JsonObject { ["request"] = "enable_recording", ["room"] = room, ["record"] = true }, null, disposing.Token);
    }

    public async Task<string?> StopRecordingAsync(string sessionId, string folder, string name, double durationSeconds)
    {
        Task<long>? room;
        lock (gate)
        {
            room = rooms.GetValueOrDefault(sessionId);
        }

        if (room is not null)
        {
            try
            {
                await controlHandle.RequestAsync(new JsonObject { ["request"] = "enable_recording", ["room"] = await room, ["record"] = false }, null, disposing.Token);
            }
            catch (JanusException ex)
            {
                // The room was destroyed with its session: Janus closed its recorders then.
                LogRecordingStopFailed(ex);
            }
        }

        var janusFolder = Path.Combine(folder, "janus");
        var video = Directory.Exists(janusFolder)
            ? new DirectoryInfo(janusFolder).GetFiles("*-video-*.mjr").OrderByDescending(f => f.Length).FirstOrDefault()
            : null;
        if (video is null)
        {
            return null;
        }

        var output = Path.Combine(folder, name + ".webm");
        await PostProcessAsync(video.FullName, output);
        Directory.Delete(janusFolder, recursive: true);
        return File.Exists(output) && new FileInfo(output).Length > 0 ? output : null;
    }

    private async Task PostProcessAsync(string mjr, string output)
    {
        var start = new ProcessStartInfo("janus-pp-rec") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(mjr);
        start.ArgumentList.Add(output);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start janus-pp-rec (is Debian's janus-tools installed?)");
        var stdout = process.StandardOutput.ReadToEndAsync(disposing.Token);
        var stderr = process.StandardError.ReadToEndAsync(disposing.Token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(disposing.Token);
        timeout.CancelAfter(PostProcessingTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        if (process.ExitCode != 0)
        {
            LogPostProcessingFailed(process.ExitCode, (await stdout) + (await stderr));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Janus: stopping the room's recording failed")]
    private partial void LogRecordingStopFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "janus-pp-rec exited with {ExitCode}: {Output}")]
    private partial void LogPostProcessingFailed(int exitCode, string output);
}
