namespace OpenViduServerSide.Features.Recordings;

/// <summary>Every sentence the recording control shows, in one place.</summary>
public static class RecordingMessages
{
    public const string NotAllowed = "Only an administrator, or a moderator in this call, can record it.";
    public const string Started = "Recording started. Everyone in the call sees that it is being recorded.";
    public const string Stopped = "Recording stopped. It will appear in the recordings list once it is saved.";
    public const string Disabled = "Recording is turned off on this video server, so calls cannot be recorded.";
    public const string Conflict = "This call is already being recorded.";
    public const string NotAcceptable = "Nobody is connected to the call yet, so there is nothing to record.";
    public const string Unprocessable = "The video server cannot record with these settings.";
    public const string NotFound = "The call or recording no longer exists at the video server.";
    public const string NotRecording = "This call is not being recorded.";
    public const string StillStarting = "The recording is still starting. Try again in a moment.";

    public const string DeleteNotAllowed = "Only an administrator can delete recordings.";
    public const string DeleteInProgress = "This recording is still in progress. Stop it in the call before deleting it.";
    public const string Deleted = "Recording deleted.";
    public const string AlreadyGone = "The recording was already gone from the video server; it is removed from the list.";
}
