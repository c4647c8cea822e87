using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;

namespace OpenViduServerSide.Features.Api;

/// <summary>
/// Identity's bearer-token format with the tickets it read kept for a while: a client sends the same token with every
/// request for up to an hour, and reading it (data protection: a key derivation, AES and HMAC) was the app's largest
/// cryptographic cost per API request. Only what was read from a valid token is kept, keyed by the whole token; each
/// request gets its own copy of the principal; expiry and the account's state are still checked on every request
/// (<see cref="BearerTokenRevalidation"/>). Issuing tokens is not cached.
/// </summary>
internal sealed class BearerTicketCache(ISecureDataFormat<AuthenticationTicket> inner, TimeProvider clock) : ISecureDataFormat<AuthenticationTicket>
{
    // Bounds memory against a client cycling through many tokens; a full cache starts over.
    private const int MaxEntries = 4096;

    // A ticket is read again at least this often, so a data-protection key revoked meanwhile takes effect.
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (AuthenticationTicket Ticket, DateTimeOffset ReadAt)> tickets = new(StringComparer.Ordinal);

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || purpose is not null)
        {
            return inner.Unprotect(protectedText, purpose);
        }

        var now = clock.GetUtcNow();
        if (!tickets.TryGetValue(protectedText, out var entry) || now - entry.ReadAt > MaxAge)
        {
            if (inner.Unprotect(protectedText) is not { } ticket)
            {
                return null;
            }

            if (tickets.Count >= MaxEntries)
            {
                tickets.Clear();
            }

            entry = (ticket, now);
            tickets[protectedText] = entry;
        }

        return new AuthenticationTicket(entry.Ticket.Principal.Clone(), entry.Ticket.Properties.Clone(), entry.Ticket.AuthenticationScheme);
    }
}
