using Microsoft.AspNetCore.Identity;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;

namespace OpenViduServerSide.Features.Calls;

/// <summary>Reads a user's OpenVidu role from Identity at the moment a token is minted, so a role change applies to the next join.</summary>
public sealed class UserCallRoles(IServiceScopeFactory scopes)
{
    /// <summary>The strongest OpenVidu role the user holds (MODERATOR, then PUBLISHER, then SUBSCRIBER), or null.</summary>
    public async Task<string?> GetOpenViduRoleAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await users.FindByNameAsync(userName) is not { } user)
        {
            return null;
        }

        var held = await users.GetRolesAsync(user);
        return Roles.OpenVidu.FirstOrDefault(held.Contains);
    }
}
