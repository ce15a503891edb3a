using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.EventBridge;

/// <summary>
/// The EventBridge operations (JSON 1.1), each handed to the half it belongs to: PutEvents to
/// <see cref="EventDelivery"/>, everything else to <see cref="EventBusAdministration"/>.
/// </summary>
internal sealed class EventBridgeService(EventBusAdministration administration, EventDelivery delivery)
{
    public Task HandleAsync(string operation, AwsResponder responder) => operation switch
    {
        "PutEvents" => delivery.PutEventsAsync(responder),
        "TestEventPattern" => administration.TestEventPatternAsync(responder),
        "CreateEventBus" => administration.CreateEventBusAsync(responder),
        "DescribeEventBus" => administration.DescribeEventBusAsync(responder),
        "DeleteEventBus" => administration.DeleteEventBusAsync(responder),
        "ListEventBuses" => administration.ListEventBusesAsync(responder),
        "PutRule" => administration.PutRuleAsync(responder),
        "DescribeRule" => administration.DescribeRuleAsync(responder),
        "DeleteRule" => administration.DeleteRuleAsync(responder),
        "EnableRule" => administration.SetRuleStateAsync(responder, enabled: true),
        "DisableRule" => administration.SetRuleStateAsync(responder, enabled: false),
        "ListRules" => administration.ListRulesAsync(responder),
        "PutTargets" => administration.PutTargetsAsync(responder),
        "RemoveTargets" => administration.RemoveTargetsAsync(responder),
        "ListTargetsByRule" => administration.ListTargetsByRuleAsync(responder),
        _ => throw EventBridgeErrors.UnknownOperation(operation),
    };
}
