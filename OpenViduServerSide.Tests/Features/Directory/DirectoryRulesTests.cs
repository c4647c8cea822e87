using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>What the directory stores is what the server decided, whatever a browser reports.</summary>
public sealed class DirectoryRulesTests
{
    private const string ServerData = """{"serverData":"publisher1","kind":"camera","role":"PUBLISHER","nickname":"Alice"}""";
    private readonly CallDirectory directory = InMemoryDirectory.Create();

    [Fact]
    public void A_stream_id_that_is_not_the_connections_own_is_not_stored()
    {
        directory.ParticipantJoined("Room", "Room_1700000000000", "con_ALICE00001", ServerData, null, DateTimeOffset.UtcNow);
        directory.ParticipantJoined("Room", "Room_1700000000000", "con_VICTIM0001", ServerData, null, DateTimeOffset.UtcNow);

        // Edited JS reports the victim's stream as its own: a moderator's "stop camera" on Alice must not reach it.
        directory.UpdateMedia("Room", "con_ALICE00001", "str_CAM_Abcd_con_VICTIM0001", true, true);
        Assert.Null(directory.FindParticipant("Room", "con_ALICE00001")!.StreamId);

        directory.UpdateMedia("Room", "con_ALICE00001", "str_CAM_Wxyz_con_ALICE00001", true, true);
        Assert.Equal("str_CAM_Wxyz_con_ALICE00001", directory.FindParticipant("Room", "con_ALICE00001")!.StreamId);
    }

    [Theory]
    [InlineData("str_CAM_Abcd_con_A", "con_A", true)]
    [InlineData("str_SCR_Abcd_con_A", "con_A", true)]
    [InlineData("str_CAM_Abcd_con_AB", "con_B", false)]
    [InlineData("str_CAM_Abcdcon_A", "con_A", false)]
    [InlineData("con_A", "con_A", false)]
    public void A_stream_belongs_to_the_connection_it_ends_with(string streamId, string connectionId, bool belongs) =>
        Assert.Equal(belongs, CallDirectory.IsStreamOf(streamId, connectionId));

    [Fact]
    public void The_same_session_lifetime_gets_the_same_call_id_and_another_lifetime_another()
    {
        directory.ParticipantJoined("Room", "Room_1700000000000", "con_ALICE00001", ServerData, null, DateTimeOffset.UtcNow);
        var again = InMemoryDirectory.Create();
        again.ParticipantJoined("Room", "Room_1700000000000", "con_ALICE00001", ServerData, null, DateTimeOffset.UtcNow);
        var later = InMemoryDirectory.Create();
        later.ParticipantJoined("Room", "Room_1700000099999", "con_ALICE00001", ServerData, null, DateTimeOffset.UtcNow);

        Assert.Equal(directory.LiveCallIds, again.LiveCallIds);
        Assert.NotEqual(directory.LiveCallIds, later.LiveCallIds);
    }

    [Fact]
    public void A_join_in_a_later_lifetime_ends_the_earlier_one_whose_end_was_lost()
    {
        List<DirectoryChange> changes = [];
        using var _ = directory.Subscribe(null, c =>
        {
            lock (changes)
            {
                changes.Add(c);
            }

            return Task.CompletedTask;
        });
        directory.ParticipantJoined("Room", "Room_1700000000000", "con_OLD0000001", ServerData, null, DateTimeOffset.UtcNow);
        directory.ParticipantJoined("Room", "Room_1700000060000", "con_NEW0000001", ServerData, null, DateTimeOffset.UtcNow);

        Assert.Equal(["con_NEW0000001"], directory.GetParticipants("Room").Select(p => p.ConnectionId));
        lock (changes)
        {
            Assert.Contains(changes, c => c.Kind == DirectoryChangeKind.SessionEnded && c.CallId != directory.LiveCallIds.Single());
        }
    }

    [Theory]
    [InlineData("daily\n")]
    [InlineData("daily\r\n")]
    [InlineData("dai ly")]
    [InlineData("")]
    public void A_call_name_is_only_letters_digits_dash_and_underscore(string name) => Assert.False(SessionNames.IsValid(name));
}
