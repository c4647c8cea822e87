namespace OpenViduServerSide.Features.Accounts;

/// <summary>
/// Lockout is set by administrators only (until unlocked). Failed sign-ins no longer lock the account itself: they pause
/// one user name from one address (<see cref="SignInGuard"/>). Timed lockouts can still exist in older databases.
/// </summary>
public static class Lockouts
{
    /// <summary>How long failed sign-ins pause one user name from one address (<see cref="SignInGuard"/>); also Identity's timed lockout.</summary>
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(5);

    /// <summary>Failed sign-ins in a row that start the pause.</summary>
    public const int MaxFailedAttempts = 5;

    /// <summary>The lockout end an administrator sets: no end, until someone unlocks the account.</summary>
    public static readonly DateTimeOffset UntilUnlocked = DateTimeOffset.MaxValue;

    public static bool IsUntilUnlocked(DateTimeOffset? end) => end is { Year: >= 9999 };
}
