using System.Globalization;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>
/// The name limits have one home each (<see cref="SessionNames"/>, <see cref="ConnectionData"/>); their messages are
/// constants (attributes need them) and the history's columns live in Data, which must not name Features: these keep them agreeing.
/// </summary>
public sealed class NameLimitTests
{
    [Fact]
    public void The_messages_state_the_limits()
    {
        Assert.Contains(SessionNames.MaxLength.ToString(CultureInfo.InvariantCulture), SessionNames.Rule, StringComparison.Ordinal);
        Assert.Contains(ConnectionData.MaxNicknameLength.ToString(CultureInfo.InvariantCulture), ConnectionData.NicknameTooLong, StringComparison.Ordinal);
    }

    [Fact]
    public void The_history_columns_hold_the_longest_names_allowed()
    {
        Assert.True(CallRecord.SessionNameMaxLength >= SessionNames.MaxLength);
        Assert.True(Participation.NicknameMaxLength >= ConnectionData.MaxNicknameLength);
    }
}
