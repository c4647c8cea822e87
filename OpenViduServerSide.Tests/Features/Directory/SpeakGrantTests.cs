using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>Promote to speak in the directory: a grant belongs to one call and ends with it; a switch reaches only the pages of that person in that call.</summary>
public sealed class SpeakGrantTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly CallDirectory directory = InMemoryDirectory.Create(new ManualClock(T0));

    private void Join(string session, string connectionId, string user = "subscriber", string role = "SUBSCRIBER") =>
        directory.ParticipantJoined(session, $"{session}_1700000000000", connectionId,
            $$"""{"serverData":"{{user}}","kind":"camera","role":"{{role}}","nickname":"Bob"}""", null, T0);

    [Fact]
    public void A_grant_holds_in_its_own_call_only_and_ends_with_that_call()
    {
        Join("Room", "con_BOBROOM001");
        Join("Other", "con_BOBOTHER01");
        var changes = new List<DirectoryChange>();
        using var _ = directory.Subscribe("Room", c =>
        {
            changes.Add(c);
            return Task.CompletedTask;
        });

        Assert.True(directory.SetSpeaker("Room", "subscriber", maySpeak: true));
        Assert.False(directory.SetSpeaker("Room", "subscriber", maySpeak: true));
        Assert.False(directory.SetSpeaker("Nowhere", "subscriber", maySpeak: true));

        Assert.True(directory.MaySpeak("Room", "subscriber"));
        Assert.False(directory.MaySpeak("Other", "subscriber"));
        Assert.False(directory.MaySpeak("Room", "publisher1"));
        Assert.Equal(["subscriber"], directory.SpeakersIn("Room"));
        // The lists re-render: one change for the person's connection, none for the refused grants.
        Assert.Equal("letSpeak", Assert.Single(changes).Reason);

        directory.SessionEnded("Room", "Room_1700000000000", "lastParticipantLeft", T0.AddMinutes(1));
        Join("Room", "con_BOBROOM002");

        Assert.False(directory.MaySpeak("Room", "subscriber"));
        Assert.Empty(directory.SpeakersIn("Room"));
    }

    [Fact]
    public void A_grant_taken_back_is_gone()
    {
        Join("Room", "con_BOBROOM001");
        Assert.True(directory.SetSpeaker("Room", "subscriber", maySpeak: true));

        Assert.True(directory.SetSpeaker("Room", "subscriber", maySpeak: false));

        Assert.False(directory.MaySpeak("Room", "subscriber"));
        Assert.False(directory.SetSpeaker("Room", "subscriber", maySpeak: false));
    }

    [Fact]
    public void A_role_switch_reaches_the_pages_of_that_person_in_that_call_and_no_others()
    {
        var heard = new List<(string Page, RoleSwitch Switch)>();
        Task Hear(string page, RoleSwitch s)
        {
            lock (heard)
            {
                heard.Add((page, s));
            }

            return Task.CompletedTask;
        }

        using var bobInRoom = directory.OnRoleSwitch("Room", "subscriber", s => Hear("bob-room", s));
        using var bobElsewhere = directory.OnRoleSwitch("Other", "subscriber", s => Hear("bob-other", s));
        var aliceInRoom = directory.OnRoleSwitch("Room", "publisher1", s => Hear("alice-room", s));
        aliceInRoom.Dispose();

        var pages = directory.SwitchRole(new RoleSwitch("Room", "subscriber", RoleSwitchCause.LetSpeak, "a moderator (moderator)"));
        var nobody = directory.SwitchRole(new RoleSwitch("Room", "publisher1", RoleSwitchCause.AccountRole, "an administrator (admin)", "MODERATOR"));

        Assert.Equal(1, pages);
        Assert.Equal(0, nobody);
        // A listener that does not await is called before SwitchRole returns.
        var (page, change) = Assert.Single(heard);
        Assert.Equal(("bob-room", RoleSwitchCause.LetSpeak), (page, change.Cause));
    }
}
