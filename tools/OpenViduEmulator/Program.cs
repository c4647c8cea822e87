using System.Runtime.InteropServices;
using OpenViduEmulator;

// Standalone: dotnet run --project tools/OpenViduEmulator -- --urls http://127.0.0.1:4443
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var options = EmulatorConfiguration.FromConfiguration(configuration) with
{
    ConfigureLogging = logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information),
};

await using var emulator = await OpenViduEmulatorServer.StartAsync(options);
Console.WriteLine($"OpenVidu 2.32.2 emulator listening on {emulator.BaseUrl} (secret {options.Secret}); Ctrl+C to stop.");

// The signals end the wait and the emulator is disposed normally (exit code 0). SIGTERM is what containers and CI send;
// ProcessExit alone never fired for it, because the runtime only raises it once the process is already exiting.
var stop = new TaskCompletionSource();
void RequestStop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
using var onQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, RequestStop);
await stop.Task;

// The tests reference this project and the app; keep this Program out of their way (.NET 10 makes it public by default).
internal partial class Program;
