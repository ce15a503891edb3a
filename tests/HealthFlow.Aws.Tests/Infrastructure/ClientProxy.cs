using System.Reflection;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>
/// A fault-injecting stand-in for an AWS SDK client: the derived class intercepts the calls it
/// cares about and forwards everything else to the real client.
/// </summary>
public abstract class ClientProxy<TClient> : DispatchProxy where TClient : class
{
    protected TClient Inner { get; private set; } = null!;

    protected static (TClient Client, TProxy Proxy) Create<TProxy>(TClient inner) where TProxy : ClientProxy<TClient>
    {
        var client = Create<TClient, TProxy>();
        var proxy = (TProxy)(object)client;
        proxy.Inner = inner;
        return (client, proxy);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        Intercept(targetMethod!, args) ?? Forward(targetMethod!, args);

    /// <summary>The replacement result of a call, or null to let the real client answer it.</summary>
    protected abstract object? Intercept(MethodInfo method, object?[]? args);

    private object? Forward(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(Inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }
}
