namespace OpenViduServerSide.Features.Calls;

/// <summary>How the call page arranges the videos; the person chooses, the page remembers it for the circuit.</summary>
public enum CallLayout
{
    /// <summary>One big main video and a strip of the others.</summary>
    Speaker,

    /// <summary>Every video the same size.</summary>
    Grid,
}

/// <summary>
/// Where each tile goes, decided from the view model alone (so bUnit can check every case): a main video and a strip,
/// or a grid. Every tile is in exactly one place, so nobody, alone or not, is shown twice.
/// </summary>
/// <param name="Main">The big video; null in the grid.</param>
/// <param name="Others">The strip beside or below the main video, or the whole grid, in the order the tiles came.</param>
/// <param name="Presenting">A screen is shared: it takes the main area whatever the chosen layout, with the cameras in
/// a strip, and the page is bounded by the window so the controls stay in view.</param>
public sealed record CallStage(VideoTile? Main, IReadOnlyList<VideoTile> Others, bool Presenting)
{
    public static CallStage Of(CallViewModel view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var tiles = view.Tiles;
        var presenting = tiles.Exists(t => t.IsScreen);
        if (!presenting && view.Layout == CallLayout.Grid)
        {
            return new CallStage(null, tiles, false);
        }

        // The person's own choice first; during a share the newest screen (CallState forgets the choice when a share
        // starts, so a new share always comes to the front); otherwise someone else rather than oneself.
        var main = tiles.Find(t => t.StreamId == view.MainStreamId)
            ?? tiles.FindLast(t => t.IsScreen)
            ?? tiles.Find(t => !t.IsScreen && !t.IsLocal)
            ?? tiles.Find(t => !t.IsScreen);
        return new CallStage(main, [.. tiles.Where(t => t.StreamId != main?.StreamId)], presenting);
    }
}
