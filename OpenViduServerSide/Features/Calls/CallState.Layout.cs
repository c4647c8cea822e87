namespace OpenViduServerSide.Features.Calls;

/// <summary>The person's choice of layout (<see cref="CallLayout"/>); where each tile goes is <see cref="CallStage"/>'s.</summary>
public sealed partial class CallState
{
    public Task SetLayoutAsync(CallLayout layout)
    {
        if (view.Layout == layout)
        {
            return Task.CompletedTask;
        }

        view = view with { Layout = layout };
        return ChangedAsync();
    }
}
