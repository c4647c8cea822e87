using Bunit;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Calls;

public sealed class JoinFormTests : MudTestContext
{
    [Fact]
    public void Suggests_a_Participant_nickname_like_the_tutorial()
    {
        var form = Render<JoinForm>();

        Assert.Matches("^Participant[0-9]{1,2}$", form.Find("#nickname").GetAttribute("value"));
    }

    [Theory]
    [InlineData("my call")]
    [InlineData("room.1")]
    [InlineData("caf\u00e9")]
    public async Task A_bad_call_name_is_explained_and_nothing_is_joined(string name)
    {
        JoinRequest? joined = null;
        var form = Render<JoinForm>(p => p.Add(f => f.OnJoin, (JoinRequest r) => joined = r));

        await form.Find("#session-name").InputAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = name });
        await form.Find("form").SubmitAsync();

        Assert.Null(joined);
        Assert.Contains(SessionNames.Rule, form.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_form_asks_for_both_fields()
    {
        var form = Render<JoinForm>(p => p.Add(f => f.Nickname, " "));
        await form.Find("#nickname").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = "" });

        await form.Find("form").SubmitAsync();

        Assert.Contains("Enter the name of the call.", form.Markup, StringComparison.Ordinal);
        Assert.Contains("Enter the name others will see.", form.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_form_raises_OnJoin_with_trimmed_values()
    {
        JoinRequest? joined = null;
        var form = Render<JoinForm>(p => p
            .Add(f => f.SessionName, "TUTORIAL")
            .Add(f => f.OnJoin, (JoinRequest r) => joined = r));
        await form.Find("#nickname").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = "  Alice  " });

        await form.Find("form").SubmitAsync();

        Assert.NotNull(joined);
        Assert.Equal("TUTORIAL", joined.SessionName);
        Assert.Equal("Alice", joined.Nickname);
    }

    [Fact]
    public void While_joining_the_inputs_are_disabled_and_progress_is_shown()
    {
        var form = Render<JoinForm>(p => p.Add(f => f.Busy, true));

        Assert.True(form.Find("#session-name").HasAttribute("disabled"));
        Assert.True(form.Find("[data-testid=join-button]").HasAttribute("disabled"));
        Assert.Contains("Joining…", form.Markup, StringComparison.Ordinal);
    }
}
