namespace HealthFlow.Cdk.Tests;

/// <summary>The context options an operator passes to `cdk deploy` (README, "Deploy").</summary>
[Collection(CdkCollection.Name)]
public sealed class OperatorOptionsTests(SynthesizedStack stack)
{
    [Fact]
    public void Alert_workers_escalation_policy_is_in_its_task_definition_and_an_operator_can_change_it()
    {
        Assert.Equal(("00:15:00", "01:00:00", ""), EscalationPolicy(stack.Model));
        // -c healthflow:escalation:highAfter=00:05:00 -c healthflow:escalation:mediumAfter=never
        Assert.Equal(("00:05:00", "", ""), EscalationPolicy(stack.WithOptions));
    }

    private static (string? High, string? Medium, string? LowMedium) EscalationPolicy(TemplateModel template)
    {
        var environment = template.Container(ServiceCatalog.AlertWorker.Name).Container["Environment"]!.AsArray()
            .ToDictionary(variable => (string)variable!["Name"]!, variable => (variable!["Value"] as System.Text.Json.Nodes.JsonValue)?.ToString());
        return (environment["Escalation__HighAfter"], environment["Escalation__MediumAfter"], environment["Escalation__LowMediumAfter"]);
    }

    [Fact]
    public void Held_auth_api_runs_no_task_until_its_signing_key_is_set()
    {
        Assert.Equal(0, DesiredCount(stack.WithOptions, ServiceCatalog.AuthApi));
        Assert.Equal(0, MinCapacity(stack.WithOptions, ServiceCatalog.AuthApi));
        Assert.Equal(2, DesiredCount(stack.WithOptions, ServiceCatalog.CommandApi));

        Assert.Equal(2, DesiredCount(stack.Model, ServiceCatalog.AuthApi));
        Assert.Equal(2, MinCapacity(stack.Model, ServiceCatalog.AuthApi));
    }

    [Fact]
    public void With_a_certificate_the_api_is_served_over_https_and_http_redirects_to_it()
    {
        var listeners = stack.Model.OfType("AWS::ElasticLoadBalancingV2::Listener").ToDictionary(l => (int)l.Properties["Port"]!);
        Assert.Equal([80, 443], listeners.Keys.Order());

        var https = listeners[443];
        Assert.Equal("HTTPS", (string?)https.Properties["Protocol"]);
        Assert.Equal(SynthesizedStack.CertificateArn, (string?)https.Properties["Certificates"]![0]!["CertificateArn"]);

        var redirect = Assert.Single(listeners[80].Properties["DefaultActions"]!.AsArray())!;
        Assert.Equal("redirect", (string?)redirect["Type"]);
        Assert.Equal("HTTPS", (string?)redirect["RedirectConfig"]!["Protocol"]);
        Assert.Equal("443", (string?)redirect["RedirectConfig"]!["Port"]);

        // Every API route hangs off the HTTPS listener.
        AssertNonEmpty.All(stack.Model.OfType("AWS::ElasticLoadBalancingV2::ListenerRule"),
            rule => Assert.Equal(https.LogicalId, (string?)rule.Properties["ListenerArn"]!["Ref"]));
    }

    [Fact]
    public void The_default_stack_has_no_listener_that_serves_plain_http()
    {
        AssertNonEmpty.All(stack.Model.OfType("AWS::ElasticLoadBalancingV2::Listener"), listener =>
            Assert.True((string?)listener.Properties["Protocol"] == "HTTPS"
                || listener.Properties["DefaultActions"]!.AsArray().All(a => (string?)a!["Type"] == "redirect")));
    }

    [Fact]
    public void Synthesis_without_a_certificate_fails_unless_plain_http_is_asked_for()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => HealthFlowApp.Create(stack.RepositoryRoot, context: new Dictionary<string, object>
        {
            [DeploymentSettings.RegionKey] = SynthesizedStack.Region,
        }));
        Assert.Contains(DeploymentSettings.AllowHttpKey, refused.Message, StringComparison.Ordinal);

        // The demo copy has no certificate and says so: one plain-HTTP listener.
        var listener = Assert.Single(stack.WithOptions.OfType("AWS::ElasticLoadBalancingV2::Listener"));
        Assert.Equal("HTTP", (string?)listener.Properties["Protocol"]);
    }

    [Fact]
    public void Allow_http_is_an_explicit_choice_read_from_context()
    {
        Assert.Throws<InvalidOperationException>(() => new DeploymentSettings().RequireHttpsUnlessAllowed());
        new DeploymentSettings { AllowHttp = true }.RequireHttpsUnlessAllowed();
        new DeploymentSettings { Demo = true }.RequireHttpsUnlessAllowed();
        new DeploymentSettings { CertificateArn = SynthesizedStack.CertificateArn }.RequireHttpsUnlessAllowed();
    }

    [Fact]
    public void An_alarm_email_subscribes_to_the_alarm_topic()
    {
        var subscription = Assert.Single(stack.WithOptions.OfType("AWS::SNS::Subscription")).Properties;
        Assert.Equal("email", (string?)subscription["Protocol"]);
        Assert.Equal(SynthesizedStack.AlarmEmail, (string?)subscription["Endpoint"]);

        Assert.Empty(stack.Model.OfType("AWS::SNS::Subscription"));
    }

    private static int DesiredCount(TemplateModel model, DeployableService service) =>
        (int)model.Resource(model.ServiceId(service.Name))["Properties"]!["DesiredCount"]!;

    private static int MinCapacity(TemplateModel model, DeployableService service)
    {
        var serviceId = model.ServiceId(service.Name);
        return (int)model.OfType("AWS::ApplicationAutoScaling::ScalableTarget")
            .Single(t => TemplateModel.ReferencedLogicalIds(t.Properties["ResourceId"]).Contains(serviceId))
            .Properties["MinCapacity"]!;
    }
}
