using OpenViduServerSide.ScaleOut;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

public static class ScaleOutServiceCollectionExtensions
{
    /// <summary>
    /// One instance (the default) or several joined through Redis (<c>ConnectionStrings:Redis</c>, StackExchange.Redis's
    /// configuration string): the bus between instances (<see cref="IInstanceBus"/>) and the rate limits' counters
    /// (<see cref="IRateWindows"/>). The connection is made in the
    /// background and kept (AbortOnConnectFail off), so an instance starts while Redis is away and joins when it comes.
    /// </summary>
    public static IHostApplicationBuilder AddScaleOut(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ScaleOutOptions>().BindConfiguration(ScaleOutOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (builder.Configuration.GetConnectionString("Redis") is not { Length: > 0 } redis)
        {
            services.AddSingleton<IInstanceBus, SingleInstanceBus>();
            services.AddSingleton<IRateWindows, LocalRateWindows>();
            return builder;
        }

        var options = ConfigurationOptions.Parse(redis);
        options.AbortOnConnectFail = false;
        // The instance's id (IInstanceBus.InstanceId): an operator tells the deployment's instances apart in Redis's CLIENT LIST.
        var deployment = builder.Configuration[$"{ScaleOutOptions.Section}:{nameof(ScaleOutOptions.Deployment)}"] ?? new ScaleOutOptions().Deployment;
        options.ClientName = $"{deployment}-{Guid.NewGuid():N}";
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        services.AddSingleton<RedisInstanceBus>();
        services.AddSingleton<IInstanceBus>(sp => sp.GetRequiredService<RedisInstanceBus>());
        services.AddSingleton<IRateWindows, RedisRateWindows>();
        return builder;
    }
}
