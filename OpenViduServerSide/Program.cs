using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using OpenViduServerSide.Components;

var builder = WebApplication.CreateBuilder(args);

// The app's one clock (every area takes TimeProvider; tests replace it).
builder.Services.TryAddSingleton(TimeProvider.System);
builder.AddTransportSecurity();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.AddScaleOut();
builder.AddData();
builder.AddAccounts();
builder.AddOpenVidu();
builder.AddDirectory();
builder.AddCalls();
builder.AddHistory();
builder.AddModeration();
builder.AddChat();
builder.AddRecordings();
builder.AddAdmin();
builder.AddApi();

var app = builder.Build();

app.UseTransportSecurity();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapAccountEndpoints();
app.MapDirectory();
app.MapHistory();
app.MapRecordings();
app.MapHealth();
app.MapApi();

app.Run();
