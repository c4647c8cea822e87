using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
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

    private readonly EmulatorOptions _options;
    private readonly HashSet<string> _events;
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private readonly Channel<(string Event, string Body)> _queue = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<WebhookDelivery> _deliveries = [];
    private readonly Lock _deliveriesGate = new();
    private readonly ChangeSignal _changes;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private readonly Lock _holdGate = new();
    private TaskCompletionSource _released = CompletedGate();
    private int _holds;

    public WebhookDispatcher(EmulatorOptions options, ChangeSignal changes, ILogger logger)
    {
        _options = options;
        _changes = changes;
        _logger = logger;
        _events = [.. options.WebhookEvents ?? EmulatorOptions.DefaultWebhookEvents];
        foreach (var header in options.WebhookHeaders)
        {
            var split = header.IndexOf(": ", StringComparison.Ordinal);
            if (split <= 0)
            {
                throw new ArgumentException($"Webhook header '{header}' must have the form 'Name: value'.", nameof(options));
            }

            _headers.Add(new(header[..split], header[(split + 2)..]));
        }

#pragma warning disable CA5359 // OpenVidu does not verify the webhook endpoint's certificate either.
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        })
        { Timeout = TimeSpan.FromSeconds(10) };
#pragma warning restore CA5359
        _worker = options.WebhookEndpoint is null ? Task.CompletedTask : Task.Run(RunAsync);
    }

    public IReadOnlyList<WebhookDelivery> Deliveries
    {
        get
        {
            lock (_deliveriesGate)
            {
                return [.. _deliveries];
            }
        }
    }

    /// <summary>
    /// Holds back every delivery until the returned handle is disposed (events keep queueing, in order): lets a test make
    /// a webhook arrive late, as OpenVidu's single sender thread does under load.
    /// </summary>
    public IDisposable Hold()
    {
        lock (_holdGate)
        {
            if (_holds++ == 0)
            {
                _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return new Release(this);
    }

    private sealed class Release(WebhookDispatcher owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            lock (owner._holdGate)
            {
                if (--owner._holds == 0)
                {
                    owner._released.TrySetResult();
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
            lock (_holdGate)
            {
                return _released.Task;
            }
        }
    }

    /// <summary>Queues an event if webhooks are on and the event is enabled. Never blocks.</summary>
    public void Enqueue(string eventName, JsonObject body)
    {
        if (_options.WebhookEndpoint is not null && _events.Contains(eventName))
        {
            _queue.Writer.TryWrite((eventName, JsonText.Write(body)));
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var (eventName, body) in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                await Released.WaitAsync(_stop.Token);
                var delivery = await DeliverAsync(eventName, body);
                lock (_deliveriesGate)
                {
                    _deliveries.Add(delivery);
                }

                _changes.Raise();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
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
                using var request = new HttpRequestMessage(HttpMethod.Post, _options.WebhookEndpoint);
                request.Content = new StringContent(body, Encoding.UTF8);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                foreach (var (name, value) in _headers)
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

                using var response = await _http.SendAsync(request, _stop.Token);
                var status = (int)response.StatusCode;
                if (status != 200)
                {
                    LogRejected(eventName, status);
                }

                return new WebhookDelivery(eventName, body, status, attempt, lastError, DateTimeOffset.UtcNow);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !_stop.IsCancellationRequested)
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
        _queue.Writer.TryComplete();
        await Task.WhenAny(_worker, Task.Delay(TimeSpan.FromSeconds(5)));
        await _stop.CancelAsync();
        await _worker;
        _stop.Dispose();
        _http.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {Event} answered {Status}: the event is dropped")]
    private partial void LogRejected(string @event, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Event} attempt {Attempt} failed: {Error}")]
    private partial void LogIoFailure(string @event, int attempt, string error);
}
