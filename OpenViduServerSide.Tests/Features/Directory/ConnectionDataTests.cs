using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Features.Directory;

public sealed class ConnectionDataTests
{
    [Fact]
    public void Reads_the_combined_metadata_a_browser_reports()
    {
        var data = ConnectionData.Parse("{\"clientData\":\"Alice\"}%/%{\"serverData\":\"publisher1\",\"kind\":\"screen\"}");

        Assert.Equal(new ConnectionData("publisher1", ConnectionKind.Screen, "Alice"), data);
    }

    [Fact]
    public void Round_trips_what_the_server_writes()
    {
        var written = new ConnectionData("publisher1", ConnectionKind.Camera, "Alice");

        var read = ConnectionData.FromServerData(written.ToServerData(), ConnectionData.ToClientData("Alice"));

        Assert.Equal(written, read);
    }

    [Fact]
    public void The_nickname_is_the_one_the_server_minted_whatever_the_browser_says()
    {
        var minted = new ConnectionData("publisher1", ConnectionKind.Camera, "Alice", "PUBLISHER").ToServerData();

        var read = ConnectionData.FromServerData(minted, ConnectionData.ToClientData("admin (moderator)"));

        Assert.Equal("Alice", read.Nickname);
    }

    [Fact]
    public void A_browser_nickname_without_a_minted_one_is_cut_to_the_allowed_length()
    {
        var read = ConnectionData.FromServerData("""{"serverData":"publisher1","kind":"camera"}""", ConnectionData.ToClientData(new string('x', 5_000)));

        Assert.Equal(new string('x', ConnectionData.MaxNicknameLength), read.Nickname);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"clientData\":%/%{broken")]
    public void Broken_metadata_gives_blanks_and_never_throws(string? raw)
    {
        var data = ConnectionData.Parse(raw);

        Assert.Equal("", data.UserName);
        Assert.Equal(ConnectionKind.Camera, data.Kind);
    }

    [Fact]
    public void Nicknames_with_quotes_and_separators_survive()
    {
        var nickname = "Al \"the\" %/% one";

        var read = ConnectionData.FromServerData(new ConnectionData("u", ConnectionKind.Camera, nickname).ToServerData(), ConnectionData.ToClientData(nickname));

        Assert.Equal(nickname, read.Nickname);
    }
}
