using System.Globalization;

namespace OpenViduServerSide.Features.History;

/// <summary>
/// How stored times are shown: in UTC, with the date, and saying so, since the server cannot know the reader's zone.
/// </summary>
public static class UtcTime
{
    public static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
