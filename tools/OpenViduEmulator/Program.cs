using Microsoft.Extensions.Logging;
using OpenViduEmulator;

// Standalone: dotnet run --project tools/OpenViduEmulator -- --urls http://127.0.0.1:4443
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var options = EmulatorConfiguration.FromConfiguration(configuration) with
{
    ConfigureLogging = logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information),
};

await using var emulator = await OpenViduEmulatorServer.StartAsync(options);
Console.WriteLine($"OpenVidu 2.32.2 emulator listening on {emulator.BaseUrl} (secret {options.Secret}); Ctrl+C to stop.");

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;

// The tests reference this project and the app; keep this Program out of their way (.NET 10 makes it public by default).
internal partial class Program;
