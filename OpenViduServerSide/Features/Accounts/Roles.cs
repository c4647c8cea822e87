namespace OpenViduServerSide.Features.Accounts;

/// <summary>Role names. The first three are OpenVidu's own and travel in connection tokens; Admin is the app's.</summary>
public static class Roles
{
    public const string Publisher = "PUBLISHER";
    public const string Subscriber = "SUBSCRIBER";
    public const string Moderator = "MODERATOR";
    public const string Admin = "Admin";

    /// <summary>OpenVidu roles, strongest first: a user holding several gets the first one that matches.</summary>
    public static readonly IReadOnlyList<string> OpenVidu = [Moderator, Publisher, Subscriber];

    public static readonly IReadOnlyList<string> All = [Publisher, Subscriber, Moderator, Admin];
}
