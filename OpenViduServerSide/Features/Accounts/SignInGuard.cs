using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenViduServerSide.Data;
using OpenViduServerSide.ScaleOut;

namespace OpenViduServerSide.Features.Accounts;

/// <summary>Bound from the <c>RateLimits</c> section: how many attempts a minute before 429.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in attempts (login form and <c>POST /api/auth/token</c> together) per client address.</summary>
    public int SignInPerAddressPerMinute { get; set; } = 20;

    /// <summary>Sign-in attempts per typed user name, from any address.</summary>
    public int SignInPerUserNamePerMinute { get; set; } = 10;

    /// <summary><c>POST /api/sessions/{name}/connections</c> per signed-in user.</summary>
    public int ConnectionsPerUserPerMinute { get; set; } = 30;

    /// <summary><c>POST /api/sessions/{name}/connections</c> per client address.</summary>
    public int ConnectionsPerAddressPerMinute { get; set; } = 60;
}

/// <summary>What a sign-in attempt came to, and the words to show.</summary>
public sealed record SignInAttempt(SignInAttempt.Kind Outcome, string Message, TimeSpan RetryAfter = default)
{
    public enum Kind
    {
        SignedIn,
        Refused,
        TooManyAttempts,
    }
}

/// <summary>
/// Password sign-in for the login form and the API, hardened against guessing and against lockout as a weapon:
/// <list type="bullet">
/// <item>Rate limits per client address and per typed user name (429 with a retry time), shared by both entry points.</item>
/// <item>No account-wide lockout after failed attempts. Identity's would let anyone lock any account, the only admin
/// included, with five wrong passwords every five minutes. Instead, <see cref="Lockouts.MaxFailedAttempts"/> failures in
/// a row for one user name from one address pause that pair for <see cref="Lockouts.LockoutDuration"/>: the owner
/// signing in from elsewhere is not affected, and guessing from one address is slowed the same way. An administrator's
/// lock (<see cref="Lockouts.UntilUnlocked"/>) still holds for everyone.</item>
/// <item>Wrong password, unknown user and a paused pair all answer the same words, so the answer tells nobody which
/// accounts exist.</item>
/// </list>
/// The pause and the limits are counted in <see cref="IRateWindows"/>: across the deployment's instances with Redis (a
/// pause set on one instance refuses on all), in this process's memory without (a restart clears them). Failures count
/// "in a row" until a success or until <see cref="Lockouts.LockoutDuration"/> passes without one. Typed user names are
/// counted under their SHA-256, so Redis never holds what someone typed (often a password in the wrong field).
/// </summary>
public sealed partial class SignInGuard
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>The one answer for a wrong password, an unknown user and a paused user name/address pair.</summary>
    public static readonly string Refusal =
        $"Wrong user name or password. After {Lockouts.MaxFailedAttempts} failed attempts in a row, " +
        $"sign-in with that user name from your address pauses for {Lockouts.LockoutDuration.TotalMinutes:0} minutes.";

    public const string LockedByAdministrator = "This account is locked. Ask an administrator to unlock it.";

    private readonly IRateWindows windows;
    private readonly int perAddress;
    private readonly int perUserName;
    private readonly ILogger<SignInGuard> logger;

    public SignInGuard(IOptions<RateLimitOptions> options, IRateWindows windows, ILogger<SignInGuard> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.windows = windows;
        this.logger = logger;
        perAddress = Math.Max(1, options.Value.SignInPerAddressPerMinute);
        perUserName = Math.Max(1, options.Value.SignInPerUserNamePerMinute);
    }

    public async Task<SignInAttempt> SignInAsync(SignInManager<ApplicationUser> signIn, string userName, string password, bool isPersistent, string? address)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        address ??= "unknown";
        var normalized = userName.Trim().ToUpperInvariant();
        var typedName = Hash(normalized);
        if (await TooManyAsync(address, typedName) is { } retryAfter)
        {
            LogRateLimited(address);
            return new SignInAttempt(SignInAttempt.Kind.TooManyAttempts,
                $"Too many sign-in attempts. Wait {Math.Ceiling(retryAfter.TotalSeconds):0} seconds and try again.", retryAfter);
        }

        var failures = $"signin:failures:{typedName}:{address}";
        if (await windows.ReadAsync(failures) >= Lockouts.MaxFailedAttempts)
        {
            LogPaused(Describe(await signIn.UserManager.FindByNameAsync(userName), normalized), address);
            return new SignInAttempt(SignInAttempt.Kind.Refused, Refusal);
        }

        // lockoutOnFailure: false, see the class comment: failures are counted per user name and address below instead.
        var result = await signIn.PasswordSignInAsync(userName, password, isPersistent, lockoutOnFailure: false);
        if (result.Succeeded)
        {
            await windows.ResetAsync(failures);
            return new SignInAttempt(SignInAttempt.Kind.SignedIn, "");
        }

        var user = await signIn.UserManager.FindByNameAsync(userName);
        // An administrator's lock is named only to someone who just gave the right password: the owner learns why they
        // cannot get in, while a guesser learns nothing a right guess on an unlocked account would not tell them anyway
        // (and guessing is slowed by the limits above). A wrong password on a locked account gets the common answer.
        if (result.IsLockedOut && user is not null && await signIn.UserManager.CheckPasswordAsync(user, password))
        {
            LogLockedOut(user.UserName ?? "?");
            return new SignInAttempt(SignInAttempt.Kind.Refused, LockedByAdministrator);
        }

        // The fifth failure starts the pause; it ends LockoutDuration later (no attempt is made, so none is counted, meanwhile).
        await windows.AddAsync(failures, Lockouts.LockoutDuration);
        LogFailed(Describe(user, normalized), address);
        return new SignInAttempt(SignInAttempt.Kind.Refused, Refusal);
    }

    private async Task<TimeSpan?> TooManyAsync(string address, string typedName)
    {
        var byAddress = await windows.TryTakeAsync($"signin:address:{address}", perAddress, Minute);
        if (!byAddress.Taken)
        {
            return byAddress.RetryAfter;
        }

        var byName = await windows.TryTakeAsync($"signin:name:{typedName}", perUserName, Minute);
        return byName.Taken ? null : byName.RetryAfter;
    }

    /// <summary>
    /// What the log may say about a typed user name: an existing account's name, or else a short hash. The typed text of
    /// a failed sign-in is often a password typed into the wrong field, and must not land in logs as-is.
    /// </summary>
    private static string Describe(ApplicationUser? user, string normalized) =>
        user?.UserName ?? $"unknown user name #{Hash(normalized)[..8]}";

    private static string Hash(string normalized) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Failed sign-in for {Who} from {Address}")]
    private partial void LogFailed(string who, string address);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "User {UserName} gave the right password but is locked by an administrator")]
    private partial void LogLockedOut(string userName);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Sign-in for {Who} from {Address} is paused after repeated failures")]
    private partial void LogPaused(string who, string address);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Too many sign-in attempts from {Address} or for one user name: 429")]
    private partial void LogRateLimited(string address);
}
