using Amazon.SQS;
using HealthFlow.EventStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Messaging;

public static class SqsServiceCollectionExtensions
{
    /// <summary>For an SQS consumer: the SQS client (the consumers themselves come from AddEventConsumers).</summary>
    public static TBuilder AddHealthFlowSqs<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddHealthFlowAwsOptions();
        builder.Services.TryAddAWSService<IAmazonSQS>();
        return builder;
    }
}
