using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using OpenViduServerSide.Features.Api;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Api;

/// <summary>The bearer-token format that keeps the tickets it read (the revalidation on top is in ApiTests).</summary>
public sealed class BearerTicketCacheTests
{
    private readonly ManualClock clock = new();
    private readonly CountingFormat inner = new();

    [Fact]
    public void A_token_read_once_is_not_decrypted_again_and_each_request_gets_its_own_principal()
    {
        var cache = new BearerTicketCache(inner, clock);

        var first = cache.Unprotect("token-of-alice")!;
        var second = cache.Unprotect("token-of-alice")!;

        Assert.Equal(1, inner.Reads);
        Assert.Equal("alice", second.Principal.Identity!.Name);
        Assert.NotSame(first.Principal, second.Principal);
        Assert.NotSame(first.Properties, second.Properties);
    }

    [Fact]
    public void A_token_that_does_not_read_is_asked_again_every_time_and_never_kept()
    {
        var cache = new BearerTicketCache(inner, clock);

        Assert.Null(cache.Unprotect("forged"));
        Assert.Null(cache.Unprotect("forged"));

        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public void A_kept_ticket_is_read_again_after_five_minutes()
    {
        var cache = new BearerTicketCache(inner, clock);
        cache.Unprotect("token-of-alice");

        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        cache.Unprotect("token-of-alice");

        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public void Issuing_goes_to_the_real_format()
    {
        var cache = new BearerTicketCache(inner, clock);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "bob")], "test")), "Bearer");

        Assert.Equal("token-of-bob", cache.Protect(ticket));
    }

    /// <summary>Reads "token-of-NAME" as NAME's ticket and anything else as unreadable, counting reads.</summary>
    private sealed class CountingFormat : ISecureDataFormat<AuthenticationTicket>
    {
        public int Reads { get; private set; }

        public string Protect(AuthenticationTicket data) => "token-of-" + data.Principal.Identity!.Name;

        public string Protect(AuthenticationTicket data, string? purpose) => Protect(data);

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Reads++;
            return protectedText?.StartsWith("token-of-", StringComparison.Ordinal) == true
                ? new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, protectedText["token-of-".Length..])], "test")), "Bearer")
                : null;
        }
    }
}
