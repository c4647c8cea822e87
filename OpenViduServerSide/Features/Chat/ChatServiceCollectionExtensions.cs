using OpenViduServerSide.Features.Chat;

namespace Microsoft.Extensions.DependencyInjection;

public static class ChatServiceCollectionExtensions
{
    /// <summary>The chat of every call: checked, stored with the call's history, delivered through OpenVidu's signals.</summary>
    public static IHostApplicationBuilder AddChat(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChatRoom>();
        return builder;
    }
}
