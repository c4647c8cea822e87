using Bunit;
using OpenViduServerSide.Features.History;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.History;

/// <summary>The attendance range form: the link it offers, and why it offers none.</summary>
public sealed class AttendanceFormTests : MudTestContext
{
    private static readonly DateOnly Today = new(2026, 11, 25);

    [Fact]
    public void It_offers_the_last_30_days_and_an_admin_can_narrow_it_to_one_user()
    {
        var form = Render<AttendanceDownload>(p => p.Add(c => c.ForAnyone, true).Add(c => c.Today, Today));

        Assert.Equal("history/attendance.csv?from=2026-10-27&to=2026-11-25", form.Find("[data-testid=attendance-download]").GetAttribute("href"));
        form.Find("#attendance-user").Input("publisher 1");
        Assert.Equal("history/attendance.csv?from=2026-10-27&to=2026-11-25&user=publisher%201", form.Find("[data-testid=attendance-download]").GetAttribute("href"));
    }

    [Fact]
    public void A_user_has_no_user_field_and_gets_only_their_own()
    {
        var form = Render<AttendanceDownload>(p => p.Add(c => c.Today, Today));

        Assert.Empty(form.FindAll("#attendance-user"));
        Assert.Equal("history/attendance.csv?from=2026-10-27&to=2026-11-25", form.Find("[data-testid=attendance-download]").GetAttribute("href"));
    }

    [Theory]
    [InlineData("2026-11-26", "2026-11-25", "The last day comes before the first.")]
    [InlineData("2025-01-01", "2026-11-25", "Choose at most 366 days.")]
    [InlineData("", "2026-11-25", "Choose the first and the last day.")]
    public void A_range_that_cannot_be_given_says_why_and_offers_no_link(string from, string to, string problem)
    {
        var form = Render<AttendanceDownload>(p => p.Add(c => c.Today, Today));

        form.Find("#attendance-from").Input(from);
        form.Find("#attendance-to").Input(to);

        Assert.Equal(problem, form.Find("[data-testid=attendance-problem]").TextContent);
        Assert.Null(form.Find("[data-testid=attendance-download]").GetAttribute("href"));
    }
}
