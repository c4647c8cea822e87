using System.Globalization;

namespace OpenViduServerSide.Components;

/// <summary>
/// How stored times are shown: in UTC, with the date, and saying so, since the server cannot know the reader's zone.
/// </summary>
public static class UtcTime
{
    public static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset time) => Format(time.UtcDateTime);

    /// <summary>The time of day only, saying UTC: for lines of one conversation (a call's chat), where the date is clear.</summary>
    public static string FormatClock(DateTimeOffset time) => time.UtcDateTime.ToString("HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>To the second, without the zone: for a column whose header already says UTC (the audit log, the attendance CSV).</summary>
    public static string FormatSeconds(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
