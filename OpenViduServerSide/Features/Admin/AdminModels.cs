namespace OpenViduServerSide.Features.Admin;

/// <summary>One page of the user list: <paramref name="Page"/> counts from 0; <paramref name="Search"/> matches part of the user name.</summary>
public sealed record UserQuery(string? Search, int Page, int PageSize);

/// <summary>A user as the users page shows it.</summary>
/// <param name="OpenViduRole">PUBLISHER, SUBSCRIBER or MODERATOR; null when the user has none.</param>
/// <param name="LockedOutUntil">When the lockout ends, or null when the user can sign in.</param>
/// <param name="IsLastAdmin">The only administrator who can sign in: not to be deleted, locked or demoted.</param>
public sealed record UserRow(string UserName, string? OpenViduRole, bool IsAdmin, DateTimeOffset? LockedOutUntil, bool IsLastAdmin)
{
    public bool IsLockedOut => LockedOutUntil is not null;
}

public sealed record UserList(IReadOnlyList<UserRow> Users, int Total);

public sealed record NewUser(string UserName, string Password, string OpenViduRole, bool IsAdmin);

public sealed record AuditEntryView(DateTime At, string Actor, string Action, string Target, string? Details);

/// <summary>
/// What an admin action did, in words for the person who asked. Expected refusals (policy, last admin, unknown user)
/// come back as a failed result, never as an exception.
/// </summary>
public sealed record AdminResult(bool Succeeded, string Message, IReadOnlyList<string> Errors)
{
    public static AdminResult Ok(string message) => new(true, message, []);

    public static AdminResult Fail(string message, IEnumerable<string>? errors = null) => new(false, message, errors?.ToArray() ?? []);
}
