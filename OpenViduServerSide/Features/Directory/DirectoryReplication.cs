using System.Text.Json;
using System.Threading.Channels;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.ScaleOut;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Joins the directories of a deployment's instances through <see cref="IInstanceBus"/> (nothing to do with one instance):
/// sends what <see cref="CallDirectory"/> says (<see cref="CallDirectory.Sending"/>) in order and applies what the others
/// say; passes OpenVidu's webhooks on (OpenVidu posts each to one instance; the others apply it too and tell their
/// <see cref="IOpenViduEventListener"/>s); passes on that accounts changed (the role and account caches are per instance).
/// Pub/sub keeps nothing, so after a loss of Redis this instance catches up from OpenVidu (<see cref="DirectoryReconciler"/>)
/// and says so in <c>/health/ready</c> until it has.
/// </summary>
public sealed partial class DirectoryReplication(
    CallDirectory directory,
    IInstanceBus bus,
    DirectoryReconciler reconciler,
    UserCallRoles roles,
    AccountStates accounts,
    IServiceProvider services,
    ILogger<DirectoryReplication> logger) : BackgroundService
{
    private const string DirectoryChannel = "directory";
    private const string WebhookChannel = "webhook";
    private const string AccountsChannel = "accounts";

    // Messages, and the barriers of SentAsync (completed once everything queued before them was published).
    private readonly Channel<object> outbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<IDisposable> subscriptions = [];
    private CancellationToken stopping;
    private int catchingUp;

    /// <summary>True from a loss of Redis until this instance has caught up from OpenVidu.</summary>
    public bool IsCatchingUp => Volatile.Read(ref catchingUp) != 0;

    /// <summary>Passes an authentic webhook body on to the other instances.</summary>
    public Task ForwardWebhookAsync(JsonElement body) =>
        bus.IsShared ? bus.PublishAsync(WebhookChannel, body.GetRawText(), DirectoryJsonContext.Default.String) : Task.CompletedTask;

    /// <summary>Tells the other instances that accounts or roles changed here, so they drop their cached view of them.</summary>
    public void AccountsChanged()
    {
        if (bus.IsShared)
        {
            _ = bus.PublishAsync(AccountsChannel, "changed", DirectoryJsonContext.Default.String);
        }
    }

    /// <summary>
    /// Completes when everything this instance said so far has reached Redis (at once with one instance): e.g. a
    /// moderator's "removing" mark before OpenVidu is asked to act, so the instance that hears OpenVidu's webhook knows who
    /// removed the person.
    /// </summary>
    public Task SentAsync(CancellationToken cancellationToken = default)
    {
        if (!bus.IsShared)
        {
            return Task.CompletedTask;
        }

        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return outbox.Writer.TryWrite(sent) ? sent.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (bus.IsShared)
        {
            subscriptions.Add(bus.Subscribe(DirectoryChannel, DirectoryJsonContext.Default.DirectoryMessage, (message, from) =>
            {
                directory.Receive(message, from);
                return Task.CompletedTask;
            }));
            subscriptions.Add(bus.Subscribe(WebhookChannel, DirectoryJsonContext.Default.String, (json, _) =>
            {
                ApplyWebhookOfAnotherInstance(json);
                return Task.CompletedTask;
            }));
            subscriptions.Add(bus.Subscribe(AccountsChannel, DirectoryJsonContext.Default.String, (_, _) =>
            {
                roles.InvalidateAll();
                accounts.InvalidateAll();
                return Task.CompletedTask;
            }));
            directory.Sending += Queue;
            bus.Reconnected += CatchUp;
            directory.Greet();
        }

        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        directory.Sending -= Queue;
        bus.Reconnected -= CatchUp;
        subscriptions.ForEach(s => s.Dispose());
        outbox.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stopping = stoppingToken;
        // One sender, so the others hear this instance's changes in the order they happened.
        await foreach (var item in outbox.Reader.ReadAllAsync(CancellationToken.None))
        {
            if (item is DirectoryMessage message)
            {
                await bus.PublishAsync(DirectoryChannel, message, DirectoryJsonContext.Default.DirectoryMessage);
            }
            else
            {
                ((TaskCompletionSource)item).TrySetResult();
            }
        }
    }

    private void Queue(DirectoryMessage message) => outbox.Writer.TryWrite(message);

    private void ApplyWebhookOfAnotherInstance(string json)
    {
        using var body = JsonDocument.Parse(json);
        if (!WebhookEvent.TryRead(body.RootElement, out var webhook, out _))
        {
            return;
        }

        directory.AsAnotherInstance(() => webhook.ApplyTo(directory, services.GetRequiredService<TimeProvider>(), out _));
        foreach (var listener in services.GetServices<IOpenViduEventListener>())
        {
            listener.OnEventAtAnotherInstance(webhook.Name, body.RootElement);
        }
    }

    private void CatchUp()
    {
        // One catch-up at a time; it reads OpenVidu, so a reconnect during it needs no second one.
        if (Interlocked.Exchange(ref catchingUp, 1) == 0)
        {
            _ = CatchUpAsync();
        }
    }

    private async Task CatchUpAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // What the others said while this instance was away is lost: OpenVidu has the truth, and they their listeners.
                directory.Greet();
                await reconciler.ReconcileAsync(stopping);
                Interlocked.Exchange(ref catchingUp, 0);
                LogCaughtUp();
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                // Stays "catching up" in /health/ready and tries again: until then the lists may miss the others' changes.
                LogCatchUpFailed(e.Message);
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 2 * attempt)), stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Caught up with OpenVidu after a loss of the other instances")]
    private partial void LogCaughtUp();

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Could not catch up with OpenVidu after a loss of the other instances, trying again: {Reason}")]
    private partial void LogCatchUpFailed(string reason);
}
