// The front: one address for several app instances (README "Several instances"). A Blazor circuit lives in the memory
// of the instance that started it, so each browser stays on one instance (an affinity cookie) until that instance stops
// answering /health; then its next request goes to a live one.
var builder = WebApplication.CreateBuilder(args);

builder.AddFront();

var app = builder.Build();

app.MapFront();

app.Run();
