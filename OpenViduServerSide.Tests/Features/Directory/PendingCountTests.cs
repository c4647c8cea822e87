using Microsoft.Extensions.Logging.Abstractions;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>
/// The pending counts behind the minting caps are kept as the directory changes (not counted per mint): each path that
/// adds, joins or removes a connection must move them.
/// </summary>
public sealed class PendingCountTests
{
    private readonly CallDirectory directory = new(TimeProvider.System, NullLogger<CallDirectory>.Instance);

    private void Issue(string session, string connectionId, string user) =>
        directory.Issued(session, null, connectionId, user, "Nick", "PUBLISHER", ConnectionKind.Camera);

    [Fact]
    public void Minted_connections_count_per_user_across_calls_and_per_call_across_users()
    {
        Issue("A", "c1", "ann");
        Issue("A", "c2", "bob");
        Issue("B", "c3", "ann");

        Assert.Equal((2, 2), directory.CountPending("ann", "A"));
        Assert.Equal((1, 1), directory.CountPending("bob", "B"));
        Assert.Equal((0, 0), directory.CountPending("nobody", "C"));
    }

    [Fact]
    public void Minting_the_same_connection_again_counts_it_once()
    {
        Issue("A", "c1", "ann");
        Issue("A", "c1", "ann");

        Assert.Equal((1, 1), directory.CountPending("ann", "A"));
    }

    [Fact]
    public void A_joined_connection_is_no_longer_pending()
    {
        Issue("A", "c1", "ann");
        Issue("A", "c2", "ann");

        directory.MarkJoined("A", "c1");

        Assert.Equal((1, 1), directory.CountPending("ann", "A"));
    }

    [Fact]
    public void A_forgotten_connection_is_no_longer_pending_and_a_joined_one_leaving_changes_nothing()
    {
        Issue("A", "c1", "ann");
        Issue("A", "c2", "ann");
        Issue("A", "c3", "ann");
        directory.MarkJoined("A", "c3");

        directory.Forget("A", "c1", "expired");
        directory.Forget("A", "c3", "disconnect");

        Assert.Equal((1, 1), directory.CountPending("ann", "A"));
    }

    [Fact]
    public void An_ended_call_takes_its_pending_connections_with_it()
    {
        Issue("A", "c1", "ann");
        Issue("A", "c2", "bob");
        Issue("B", "c3", "ann");

        directory.SessionEnded("A", null, "sessionClosedByServer", DateTimeOffset.UtcNow);

        Assert.Equal((1, 0), directory.CountPending("ann", "A"));
        Assert.Equal((0, 0), directory.CountPending("bob", "A"));
        Assert.Equal((1, 1), directory.CountPending("ann", "B"));
    }
}
