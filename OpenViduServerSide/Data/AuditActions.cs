namespace OpenViduServerSide.Data;

/// <summary>
/// Every <see cref="AuditEntry.Action"/> the app writes: account changes (<c>UserAdministration</c>) and moderation
/// (<c>CallModeration</c>). Existing rows keep these strings, so rename none of them.
/// </summary>
public static class AuditActions
{
    // Accounts, from the users page.
    public const string CreateUser = "CreateUser";
    public const string SetOpenViduRole = "SetOpenViduRole";
    public const string GrantAdmin = "GrantAdmin";
    public const string RevokeAdmin = "RevokeAdmin";
    public const string Lock = "Lock";
    public const string Unlock = "Unlock";
    public const string ResetPassword = "ResetPassword";
    public const string DeleteUser = "DeleteUser";

    // Moderation, from a call or the live calls page.
    public const string RemoveFromCall = "RemoveFromCall";
    public const string StopStream = "StopStream";
    public const string EndCall = "EndCall";
    public const string MessageCall = "MessageCall";
    public const string LowerHand = "LowerHand";
    public const string PromoteToSpeak = "PromoteToSpeak";
    public const string TakeBackSpeak = "TakeBackSpeak";

    // Recording, from a call (CallRecordings) or the recordings page.
    public const string StartRecording = "StartRecording";
    public const string StopRecording = "StopRecording";
    public const string DeleteRecording = "DeleteRecording";
}
