using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using OpenViduEmulator.State;

namespace OpenViduEmulator.Webhooks;

/// <summary>
/// Posts webhook events one at a time, in order, on a single background worker, like OpenVidu's
/// HttpWebhookSender (contract §2): non-200 answers are logged and dropped, I/O failures are retried up to
/// 5 attempts in total.
/// </summary>
internal sealed partial class WebhookDispatcher : IAsyncDisposable
{
    private const int MaxAttempts = 5;

    private readonly EmulatorOptions options;
    private readonly HashSet<string> events;
    private readonly List<KeyValuePair<string, string>> headers = [];
    private readonly Channel<(string Event, string Body)> queue = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<WebhookDelivery> deliveries = [];
    private readonly Lock deliveriesGate = new();
    private readonly ChangeSignal changes;
    private readonly ILogger logger;
    private readonly HttpClient http;
    private readonly CancellationTokenSource stop = new();
    private readonly Task worker;
    private readonly Lock holdGate = new();
    private TaskCompletionSource released = CompletedGate();
    private int holds;

    public WebhookDispatcher(EmulatorOptions options, ChangeSignal changes, ILogger logger)
    {
        this.options = options;
        this.changes = changes;
        this.logger = logger;
        events = [.. options.WebhookEvents ?? EmulatorOptions.DefaultWebhookEvents];
        foreach (var header in options.WebhookHeaders)
        {
            var split = header.IndexOf(": ", StringComparison.Ordinal);
            if (split <= 0)
            {
                throw new ArgumentException($"Webhook header '{header}' must have the form 'Name: value'.", nameof(options));
            }

            headers.Add(new(header[..split], header[(split + 2)..]));
        }

#pragma warning disable CA5359 // OpenVidu does not verify the webhook endpoint's certificate either.
        http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        })
        { Timeout = TimeSpan.FromSeconds(10) };
#pragma warning restore CA5359
        worker = options.WebhookEndpoint is null ? Task.CompletedTask : Task.Run(RunAsync);
    }

    public IReadOnlyList<WebhookDelivery> Deliveries
    {
        get
        {
            lock (deliveriesGate)
            {
                return [.. deliveries];
            }
        }
    }

    /// <summary>
    /// Holds back every delivery until the returned handle is disposed (events keep queueing, in order): lets a test make
    /// a webhook arrive late, as OpenVidu's single sender thread does under load.
    /// </summary>
    public IDisposable Hold()
    {
        lock (holdGate)
        {
            if (holds++ == 0)
            {
                released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return new Release(this);
    }

    private sealed class Release(WebhookDispatcher owner) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

            lock (owner.holdGate)
            {
                if (--owner.holds == 0)
                {
                    owner.released.TrySetResult();
                }
            }
        }
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private Task Released
    {
        get
        {
            lock (holdGate)
            {
                return released.Task;
            }
        }
    }

    /// <summary>Queues an event if webhooks are on and the event is enabled. Never blocks.</summary>
    public void Enqueue(string eventName, JsonObject body)
    {
        if (options.WebhookEndpoint is not null && events.Contains(eventName))
        {
            queue.Writer.TryWrite((eventName, JsonText.Write(body)));
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var (eventName, body) in queue.Reader.ReadAllAsync(stop.Token))
            {
                await Released.WaitAsync(stop.Token);
                var delivery = await DeliverAsync(eventName, body);
                lock (deliveriesGate)
                {
                    deliveries.Add(delivery);
                }

                changes.Raise();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task<WebhookDelivery> DeliverAsync(string eventName, string body)
    {
        string? lastError = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, options.WebhookEndpoint);
                request.Content = new StringContent(body, Encoding.UTF8);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                foreach (var (name, value) in headers)
                {
                    if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
                    {
                        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
                    }
                    else
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }
                }

                using var response = await http.SendAsync(request, stop.Token);
                var status = (int)response.StatusCode;
                if (status != 200)
                {
                    LogRejected(eventName, status);
                }

                return new WebhookDelivery(eventName, body, status, attempt, lastError, DateTimeOffset.UtcNow);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
            {
                lastError = ex.Message;
                LogIoFailure(eventName, attempt, ex.Message);
            }
        }

        return new WebhookDelivery(eventName, body, null, MaxAttempts, lastError, DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync()
    {
        // Let queued events go out (briefly), then stop.
        queue.Writer.TryComplete();
        await Task.WhenAny(worker, Task.Delay(TimeSpan.FromSeconds(5)));
        await stop.CancelAsync();
        await worker;
        stop.Dispose();
        http.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {Event} answered {Status}: the event is dropped")]
    private partial void LogRejected(string @event, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Event} attempt {Attempt} failed: {Error}")]
    private partial void LogIoFailure(string @event, int attempt, string error);
}
