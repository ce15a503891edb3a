using HealthFlow.Topology;

namespace HealthFlow.Cdk.Tests;

[Collection(CdkCollection.Name)]
public sealed class GatewayTests(SynthesizedStack stack)
{
    private TemplateModel Model => stack.Model;

    [Fact]
    public void Listener_rules_are_the_gateway_routes_with_their_priorities()
    {
        var expected = GatewayRoutes.All
            .Select(r => $"{r.Priority} {r.Service} {string.Join(",", r.PathPatterns)} {string.Join(",", r.Methods ?? [])}")
            .Order();

        var targetGroupOwners = Model.OfType("AWS::ECS::Service")
            .SelectMany(s => s.Properties["LoadBalancers"]?.AsArray() ?? [])
            .ToDictionary(lb => (string)lb!["TargetGroupArn"]!["Ref"]!, lb => (string)lb!["ContainerName"]!);
        var actual = Model.OfType("AWS::ElasticLoadBalancingV2::ListenerRule")
            .Select(rule =>
            {
                var patterns = rule.Properties["Conditions"]!.AsArray()
                    .Single(c => (string?)c!["Field"] == "path-pattern")!["PathPatternConfig"]!["Values"]!.AsArray()
                    .Select(v => (string)v!);
                var methods = rule.Properties["Conditions"]!.AsArray()
                    .SingleOrDefault(c => (string?)c!["Field"] == "http-request-method")?["HttpRequestMethodConfig"]!["Values"]!.AsArray()
                    .Select(v => (string)v!) ?? [];
                AssertNonEmpty.All(rule.Properties["Conditions"]!.AsArray(), c => Assert.True((c!["PathPatternConfig"] ?? c["HttpRequestMethodConfig"])!["Values"]!.AsArray().Count <= 5));
                var action = Assert.Single(rule.Properties["Actions"]!.AsArray())!;
                Assert.Equal("forward", (string?)action["Type"]);
                return $"{(int)rule.Properties["Priority"]!} {targetGroupOwners[(string)action["TargetGroupArn"]!["Ref"]!]} {string.Join(",", patterns)} {string.Join(",", methods)}";
            })
            .Order();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Paths_no_api_claims_go_to_the_web_apps()
    {
        var listener = Assert.Single(Model.OfType("AWS::ElasticLoadBalancingV2::Listener"), l => (string?)l.Properties["Protocol"] == "HTTPS").Properties;
        var action = Assert.Single(listener["DefaultActions"]!.AsArray())!;
        var owner = Model.OfType("AWS::ECS::Service")
            .SelectMany(s => s.Properties["LoadBalancers"]?.AsArray() ?? [])
            .Single(lb => (string?)lb!["TargetGroupArn"]!["Ref"] == (string?)action["TargetGroupArn"]!["Ref"])!;
        Assert.Equal(ServiceCatalog.Web.Name, (string?)owner["ContainerName"]);
    }

    [Fact]
    public void The_load_balancer_is_public_and_checks_every_target_on_health()
    {
        var alb = Assert.Single(Model.OfType("AWS::ElasticLoadBalancingV2::LoadBalancer")).Properties;
        Assert.Equal("internet-facing", (string?)alb["Scheme"]);

        var targetGroups = Model.OfType("AWS::ElasticLoadBalancingV2::TargetGroup").ToArray();
        Assert.Equal(4, targetGroups.Length);
        AssertNonEmpty.All(targetGroups, tg =>
        {
            Assert.Equal("/health", (string?)tg.Properties["HealthCheckPath"]);
            Assert.Equal(8080, (int)tg.Properties["Port"]!);
            Assert.Equal("ip", (string?)tg.Properties["TargetType"]);
        });
    }
}
