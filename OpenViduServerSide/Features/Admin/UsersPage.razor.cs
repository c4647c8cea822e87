using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using OpenViduServerSide.Components;
using OpenViduServerSide.Features.Accounts;

namespace OpenViduServerSide.Features.Admin;

/// <summary>The users page: renders what <see cref="UserAdministration"/> returns and asks it for every change.</summary>
public sealed partial class UsersPage(UserAdministration administration, IDialogService dialogs, ISnackbar snackbar, ILogger<UsersPage> logger)
{
    private const int AuditCount = 20;

    private MudDataGrid<UserRow>? grid;
    private IReadOnlyList<AuditEntryView> audit = [];
    private string? search;
    private string actor = "";
    private bool busy;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    protected override async Task OnInitializedAsync()
    {
        if (AuthenticationState is not null)
        {
            actor = (await AuthenticationState).User.Identity?.Name ?? "";
        }

        audit = await administration.GetRecentAuditAsync(actor, AuditCount);
    }

    private async Task<GridData<UserRow>> LoadAsync(GridState<UserRow> state, CancellationToken cancellationToken)
    {
        var list = await administration.GetUsersAsync(actor, new UserQuery(search, state.Page, state.PageSize), cancellationToken);
        return new GridData<UserRow> { Items = list.Users, TotalItems = list.Total };
    }

    private async Task SearchAsync(string? text)
    {
        search = text;
        await ReloadUsersAsync();
    }

    private async Task CreateAsync()
    {
        var parameters = new DialogParameters<CreateUserDialog> { { d => d.Actor, actor } };
        await ShowDialogAsync<CreateUserDialog>("New user", parameters);
    }

    private async Task ResetPasswordAsync(UserRow user)
    {
        var parameters = new DialogParameters<ResetPasswordDialog>
        {
            { d => d.Actor, actor },
            { d => d.UserName, user.UserName },
        };
        await ShowDialogAsync<ResetPasswordDialog>($"Reset the password of {user.UserName}", parameters);
    }

    private async Task DeleteAsync(UserRow user)
    {
        var confirmed = await dialogs.ShowMessageBoxAsync(
            "Delete user",
            $"Delete {user.UserName}? Their account and roles are removed; this cannot be undone.",
            yesText: "Delete", cancelText: "Cancel");
        if (confirmed == true)
        {
            await RunAsync(user.UserName, () => administration.DeleteAsync(actor, user.UserName));
        }
    }

    private Task SetRoleAsync(UserRow user, string role) => RunAsync(user.UserName, () => administration.SetOpenViduRoleAsync(actor, user.UserName, role));

    private Task SetAdminAsync(UserRow user, bool isAdmin) => RunAsync(user.UserName, () => administration.SetAdminAsync(actor, user.UserName, isAdmin));

    private Task LockAsync(UserRow user) => RunAsync(user.UserName, () => administration.LockAsync(actor, user.UserName));

    private Task UnlockAsync(UserRow user) => RunAsync(user.UserName, () => administration.UnlockAsync(actor, user.UserName));

    private async Task ShowDialogAsync<TDialog>(string title, DialogParameters parameters)
        where TDialog : IComponent
    {
        var options = new DialogOptions { MaxWidth = MaxWidth.ExtraSmall, FullWidth = true, CloseOnEscapeKey = true };
        var dialog = await dialogs.ShowAsync<TDialog>(title, parameters, options);
        if (await dialog.Result is { Canceled: false, Data: string message })
        {
            snackbar.Add(message, Severity.Success);
            await ReloadAsync();
        }
    }

    private async Task RunAsync(string userName, Func<Task<AdminResult>> action)
    {
        busy = true;
        try
        {
            try
            {
                var result = await action();
                snackbar.Add(result.Message, result.Succeeded ? Severity.Success : Severity.Error);
            }
            catch (Exception e) when (e is InvalidOperationException or DbUpdateException)
            {
                // UserAdministration throws (and rolls back) on what it cannot refuse in words: another admin changed the
                // same user meanwhile (Identity's concurrency failure) or the database failed. The page must survive it.
                LogActionFailed(e, actor, userName);
                snackbar.Add($"{userName} could not be changed. Reload the page and try again.", Severity.Error);
            }

            await ReloadAsync();
        }
        finally
        {
            busy = false;
        }
    }

    private async Task ReloadAsync()
    {
        await ReloadUsersAsync();
        audit = await administration.GetRecentAuditAsync(actor, AuditCount);
    }

    private Task ReloadUsersAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;

    private static string ExplanationId(UserRow user) => $"last-admin-{user.UserName}";

    private static string LockedText(DateTimeOffset until) => Lockouts.IsUntilUnlocked(until)
        ? "Until unlocked"
        : $"Until {UtcTime.Format(until)}";

    [LoggerMessage(EventId = 4050, Level = LogLevel.Error, Message = "Admin {Actor} could not change user {Target}")]
    private partial void LogActionFailed(Exception exception, string actor, string target);
}
