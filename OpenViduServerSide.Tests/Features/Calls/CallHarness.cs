using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpenViduEmulator;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>
/// The call page in bUnit with the real server side: the app's singletons (real Identity on SQLite, real
/// OpenViduClient) from an <see cref="EmulatedApp"/>, reached through bUnit's fallback service provider. The per-circuit
/// services (CallState, OpenViduInterop) live in bUnit; only the browser half (openvidu-interop.js) is bUnit's strict JS.
/// </summary>
public sealed class CallHarness : IAsyncDisposable
{
    private CallHarness(EmulatedApp app, BunitContext bunit)
    {
        App = app;
        Bunit = bunit;
        Module = bunit.JSInterop.SetupModule(OpenViduInterop.ModulePath);
        Module.Mode = JSRuntimeMode.Strict;
        foreach (var method in new[] { "attachVideo", "detachVideo", "leave", "stopScreen", "setMicrophone", "setCamera", "saveDeviceChoice", "stopPreview" })
        {
            Module.SetupVoid(method, _ => true).SetVoidResult();
        }

        // The pre-join: nothing remembered, one camera and one microphone that open.
        Module.Setup<DeviceChoice>("readDeviceChoice").SetResult(null!);
        Module.Setup<PreviewResult>("startPreview", _ => true).SetResult(new PreviewResult(OneOfEach, null, null));
    }

    /// <summary>What the scripted browser has: one camera and one microphone, both in use by the preview.</summary>
    public static readonly DeviceList OneOfEach = new([new MediaDevice("cam-1", "Fake camera")], [new MediaDevice("mic-1", "Fake microphone")], "cam-1", "mic-1");

    public OpenViduEmulatorServer Emulator => App.Emulator;

    public EmulatedApp App { get; }

    public BunitContext Bunit { get; }

    public BunitJSModuleInterop Module { get; }

    public CallDirectory Directory => App.Services.GetRequiredService<CallDirectory>();

    public ConnectionIssuer Issuer => App.Services.GetRequiredService<ConnectionIssuer>();

    public DirectoryReconciler Reconciler => App.Services.GetRequiredService<DirectoryReconciler>();

    public CallState Call => Bunit.Services.GetRequiredService<CallState>();

    public static async Task<CallHarness> StartAsync(string userName, params string[] roles)
    {
        var app = await EmulatedApp.StartAsync();
        var bunit = new MudTestContext();
        bunit.Services.AddFallbackServiceProvider(app.Services);
        bunit.Services.AddScoped<OpenViduInterop>();
        bunit.Services.AddScopedWithFallback<CallState>();
        bunit.AddAuthorization().SetAuthorized(userName).SetRoles(roles);
        return new CallHarness(app, bunit);
    }

    /// <summary>
    /// The browser's answer to <c>join(...)</c> (connected or not) and, when asked, to <c>cameraPublished()</c>: the
    /// <see cref="JoinResult.Camera"/> of <paramref name="result"/> (the browser joins first, then publishes).
    /// </summary>
    public void BrowserJoins(JoinResult result)
    {
        Module.Setup<JoinResult>("join", _ => true).SetResult(result with { Camera = null });
        BrowserPublishes(result.Camera);
    }

    /// <summary>The browser's answer to <c>cameraPublished()</c>, the camera a join started publishing.</summary>
    public void BrowserPublishes(CameraPublished? published) => Module.Setup<CameraPublished?>("cameraPublished", _ => true).SetResult(published);

    public IRenderedComponent<CallPage> RenderPage() => Bunit.Render<CallPage>();

    public static async Task FillAndJoinAsync(IRenderedComponent<CallPage> page, string session, string nickname)
    {
        await FillAsync(page, session, nickname);
        await page.Find("form").SubmitAsync();
    }

    public static async Task FillAsync(IRenderedComponent<CallPage> page, string session, string nickname)
    {
        await page.Find("#session-name").InputAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = session });
        await page.Find("#nickname").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = nickname });
    }

    /// <summary>The camera stream the scripted browser reports for Alice.</summary>
    public const string AliceCamera = "str_CAM_Abcd_con_X";

    /// <summary>Alice is in TUTORIAL with her camera published: the starting point of most call page tests.</summary>
    public async Task<IRenderedComponent<CallPage>> AliceInTutorialAsync()
    {
        BrowserJoins(new JoinResult("con_fromBrowser", null, new CameraPublished(AliceCamera, null)));
        var page = RenderPage();
        await FillAndJoinAsync(page, "TUTORIAL", "Alice");
        // The call shows first; her camera's tile and controls come once the browser says it is published.
        page.WaitForElement("[data-testid=toggle-mic]", TimeSpan.FromSeconds(10));
        return page;
    }

    /// <summary>Emulator connections of a session, with an empty list when the session is gone.</summary>
    public IReadOnlyList<ConnectionSnapshot> ConnectionsAt(string session) =>
        Emulator.Controls.Snapshot().FindSession(session)?.Connections ?? [];

    /// <summary>
    /// Waits until the session's connections at the emulator satisfy <paramref name="condition"/>. Connections change
    /// without a render, so bUnit's WaitForAssertion (re-checked only when the page renders) cannot wait for them.
    /// </summary>
    public async Task WaitForConnectionsAsync(string session, Func<IReadOnlyList<ConnectionSnapshot>, bool> condition) =>
        await Emulator.Controls.WaitForAsync(s => condition(s.FindSession(session)?.Connections ?? []), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Bunit.DisposeAsync();
        await App.DisposeAsync();
    }
}
