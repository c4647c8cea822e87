using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>Raised hands are kept by the server's directory, on the person's camera connection, in the order they went up.</summary>
public sealed class RaisedHandTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly ManualClock clock = new(T0);
    private readonly CallDirectory directory;

    public RaisedHandTests()
    {
        directory = InMemoryDirectory.Create(clock);
        Join("con_ALICE00001", "publisher1", "Alice", "camera");
        Join("con_BOB0000001", "subscriber", "Bob", "camera");
        Join("con_ALICESCR01", "publisher1", "Alice", "screen");
    }

    private void Join(string connectionId, string user, string nickname, string kind) =>
        directory.ParticipantJoined("Room", "Room_1700000000000", connectionId,
            $$"""{"serverData":"{{user}}","kind":"{{kind}}","role":"PUBLISHER","nickname":"{{nickname}}"}""", null, T0);

    private DateTimeOffset? HandOf(string connectionId) => directory.FindParticipant("Room", connectionId)!.HandRaisedAt;

    [Fact]
    public void A_hand_goes_up_with_its_time_stays_in_place_when_raised_again_and_comes_down()
    {
        var changes = new List<DirectoryChange>();
        using var _ = directory.Subscribe("Room", c =>
        {
            changes.Add(c);
            return Task.CompletedTask;
        });

        Assert.True(directory.SetHand("Room", "con_BOB0000001", raised: true));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(directory.SetHand("Room", "con_ALICE00001", raised: true));
        Assert.True(directory.SetHand("Room", "con_BOB0000001", raised: true));

        Assert.Equal(T0, HandOf("con_BOB0000001"));
        Assert.Equal(T0.AddSeconds(5), HandOf("con_ALICE00001"));
        Assert.True(directory.SetHand("Room", "con_BOB0000001", raised: false));
        Assert.Null(HandOf("con_BOB0000001"));
        // Every page hears of each real change, and only of those.
        Assert.Equal(3, changes.Count(c => c.Kind == DirectoryChangeKind.Updated));
    }

    [Fact]
    public void A_screen_share_an_unknown_or_an_unused_connection_has_no_hand()
    {
        directory.MarkJoined("Room", "con_ALICE00001");

        Assert.False(directory.SetHand("Room", "con_ALICESCR01", raised: true));
        Assert.False(directory.SetHand("Room", "con_NOBODY0001", raised: true));
        Assert.False(directory.SetHand("Other", "con_ALICE00001", raised: true));
        Assert.Null(HandOf("con_ALICESCR01"));
    }
}
