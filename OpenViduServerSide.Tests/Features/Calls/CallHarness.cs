using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpenViduEmulator;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>
/// The call page in bUnit with the real server side: the app's CallDirectory (real Identity on SQLite, real
/// OpenViduClient) against an emulator on loopback. Only the browser half (openvidu-interop.js) is bUnit's strict JS.
/// </summary>
public sealed class CallHarness : IAsyncDisposable
{
    private CallHarness(OpenViduEmulatorServer emulator, AppFactory app, BunitContext bunit)
    {
        Emulator = emulator;
        App = app;
        Bunit = bunit;
        Module = bunit.JSInterop.SetupModule(OpenViduInterop.ModulePath);
        Module.Mode = JSRuntimeMode.Strict;
        foreach (var method in new[] { "attachVideo", "detachVideo", "leave", "stopScreen", "setMicrophone", "setCamera" })
        {
            Module.SetupVoid(method, _ => true).SetVoidResult();
        }
    }

    public OpenViduEmulatorServer Emulator { get; }

    public AppFactory App { get; }

    public BunitContext Bunit { get; }

    public BunitJSModuleInterop Module { get; }

    public CallDirectory Directory => App.Services.GetRequiredService<CallDirectory>();

    public ConnectionIssuer Issuer => App.Services.GetRequiredService<ConnectionIssuer>();

    public CallState Call => Bunit.Services.GetRequiredService<CallState>();

    public static async Task<CallHarness> StartAsync(string userName, params string[] roles)
    {
        var emulator = await OpenViduEmulatorServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var app = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["OpenVidu:Url"] = emulator.BaseUrl,
            ["OpenVidu:Secret"] = emulator.Secret,
        });
        _ = app.Server;

        var bunit = new BunitContext();
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        bunit.Services.AddMudServicesForTests();
        bunit.Services.AddSingleton(app.Services.GetRequiredService<CallDirectory>());
        bunit.Services.AddSingleton(app.Services.GetRequiredService<ConnectionIssuer>());
        bunit.Services.AddSingleton(app.Services.GetRequiredService<DirectoryReconciler>());
        bunit.Services.AddSingleton(app.Services.GetRequiredService<OpenViduServerSide.Features.Moderation.CallModeration>());
        bunit.Services.AddScoped<OpenViduInterop>();
        bunit.Services.AddScoped<CallState>();
        bunit.AddAuthorization().SetAuthorized(userName).SetRoles(roles);
        return new CallHarness(emulator, app, bunit);
    }

    /// <summary>The browser's answer to <c>join(...)</c>.</summary>
    public void BrowserJoins(JoinResult result) => Module.Setup<JoinResult>("join", _ => true).SetResult(result);

    public IRenderedComponent<CallPage> RenderPage() => Bunit.Render<CallPage>();

    public static async Task FillAndJoinAsync(IRenderedComponent<CallPage> page, string session, string nickname)
    {
        await page.Find("#session-name").InputAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = session });
        await page.Find("#nickname").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = nickname });
        await page.Find("form").SubmitAsync();
    }

    /// <summary>The camera stream the scripted browser reports for Alice.</summary>
    public const string AliceCamera = "str_CAM_Abcd_con_X";

    /// <summary>Alice is in TUTORIAL with her camera published: the starting point of most call page tests.</summary>
    public async Task<IRenderedComponent<CallPage>> AliceInTutorialAsync()
    {
        BrowserJoins(new JoinResult("con_fromBrowser", AliceCamera, null, null));
        var page = RenderPage();
        await FillAndJoinAsync(page, "TUTORIAL", "Alice");
        page.WaitForElement("[data-testid=call-title]", TimeSpan.FromSeconds(10));
        return page;
    }

    /// <summary>Emulator connections of a session, with an empty list when the session is gone.</summary>
    public IReadOnlyList<ConnectionSnapshot> ConnectionsAt(string session) =>
        Emulator.Controls.Snapshot().FindSession(session)?.Connections ?? [];

    public async ValueTask DisposeAsync()
    {
        await Bunit.DisposeAsync();
        await App.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
