namespace OpenViduServerSide.Features.Accounts;

/// <summary>The two kinds of lockout: after failed sign-ins (timed) and by an administrator (until unlocked).</summary>
public static class Lockouts
{
    /// <summary>The lockout end an administrator sets: no end, until someone unlocks the account.</summary>
    public static readonly DateTimeOffset UntilUnlocked = DateTimeOffset.MaxValue;

    public static bool IsUntilUnlocked(DateTimeOffset? end) => end is { Year: >= 9999 };
}
