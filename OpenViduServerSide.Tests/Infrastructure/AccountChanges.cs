using OpenViduServerSide.Features.Admin;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// The account changes an administrator can make that must end the account's existing sign-ins at once. A change of
/// OpenVidu role is not one of them: it grants nothing through a sign-in, and the person's open calls switch to it.
/// </summary>
public static class AccountChanges
{
    public static TheoryData<string> All => ["lock", "reset-password", "admin-flag", "delete"];

    /// <summary>Makes <paramref name="change"/> to <paramref name="userName"/> as the demo admin.</summary>
    public static Task<AdminResult> ApplyAsync(UserAdministration admin, string change, string userName) => change switch
    {
        "lock" => admin.LockAsync("admin", userName, TestContext.Current.CancellationToken),
        "reset-password" => admin.ResetPasswordAsync("admin", userName, "A-new-password-1", TestContext.Current.CancellationToken),
        "role" => admin.SetOpenViduRoleAsync("admin", userName, "SUBSCRIBER", TestContext.Current.CancellationToken),
        "admin-flag" => admin.SetAdminAsync("admin", userName, true, TestContext.Current.CancellationToken),
        "delete" => admin.DeleteAsync("admin", userName, TestContext.Current.CancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, "Not an account change."),
    };
}
