using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>
/// The directory remembers departed connections so late participantJoined webhooks bring no ghosts back, for 10 minutes
/// after it learned of the departure (forgetting happens as later departures come in, oldest first).
/// </summary>
public sealed class DepartedMemoryTests
{
    private const string ServerData = """{"serverData":"publisher1","kind":"camera","role":"PUBLISHER"}""";
    private const string ClientData = """{"clientData":"Nick"}""";

    private readonly ManualClock clock = new();
    private readonly CallDirectory directory;

    public DepartedMemoryTests() => directory = InMemoryDirectory.Create(clock);

    private bool Present(string connectionId) => directory.FindParticipant("Call", connectionId) is not null;

    private void LateJoin(string connectionId) => directory.ParticipantJoined("Call", "Call_1700000000000", connectionId, ServerData, ClientData, clock.GetUtcNow());

    [Fact]
    public void A_late_join_of_a_departed_connection_is_ignored()
    {
        directory.Forget("Call", "con_A", "disconnect");
        clock.Advance(TimeSpan.FromMinutes(9));
        directory.Forget("Call", "con_B", "disconnect");

        LateJoin("con_A");

        Assert.False(Present("con_A"));
    }

    [Fact]
    public void After_ten_minutes_and_a_later_departure_the_connection_is_forgotten()
    {
        directory.Forget("Call", "con_A", "disconnect");
        clock.Advance(TimeSpan.FromMinutes(11));
        directory.Forget("Call", "con_B", "disconnect");

        LateJoin("con_A");
        LateJoin("con_B");

        Assert.True(Present("con_A"));
        Assert.False(Present("con_B"));
    }

    [Fact]
    public void A_connection_that_departs_again_is_remembered_from_its_latest_departure()
    {
        directory.Forget("Call", "con_A", "disconnect");
        clock.Advance(TimeSpan.FromMinutes(6));
        directory.Forget("Call", "con_A", "disconnect");
        clock.Advance(TimeSpan.FromMinutes(6));
        directory.Forget("Call", "con_B", "disconnect");

        LateJoin("con_A");

        Assert.False(Present("con_A"));
    }

    [Fact]
    public void Memory_is_bounded_oldest_first()
    {
        for (var i = 0; i <= DepartedConnections.MaxDeparted; i++)
        {
            directory.Forget("Call", $"con_{i}", "disconnect");
        }

        LateJoin("con_0");
        LateJoin("con_1");

        Assert.True(Present("con_0"));
        Assert.False(Present("con_1"));
    }
}
