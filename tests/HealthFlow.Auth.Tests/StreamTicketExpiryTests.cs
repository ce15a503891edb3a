using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using HealthFlow.Auth.Api.Tokens;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace HealthFlow.Auth.Tests;

/// <summary>
/// A stream ticket's 30 s, on one FakeTimeProvider shared by auth-api's issuer and the redemption query-api runs
/// (the services' own registrations: <see cref="HealthFlowJwtBearerExtensions.AddHealthFlowJwtBearer{TBuilder}"/>),
/// so the boundary is decided by the clock the services are given, not by how fast the machine is.
/// </summary>
public sealed class StreamTicketExpiryTests : IDisposable
{
    private static readonly DateTimeOffset IssuedAt = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    // The 5 s query-api allows for the hosts' clocks (StreamTicketRedemptions): past 30 s plus that, a ticket is spent.
    private static readonly TimeSpan ClockAllowance = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new(IssuedAt);
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly StreamTicketIssuer _issuer;
    private readonly SigningKeyProvider _keys;
    private readonly IHost _queryApi;

    public StreamTicketExpiryTests()
    {
        var signing = Options.Create(new JwtSigningOptions { SigningKey = _key.ExportECPrivateKeyPem() });
        _keys = new SigningKeyProvider(signing, new HostingEnvironment { EnvironmentName = Environments.Production }, NullLogger<SigningKeyProvider>.Instance);
        _issuer = new StreamTicketIssuer(_keys, signing, _time);

        // query-api's authentication as it registers it, on the test's clock.
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:JwksUrl"] = "http://auth-api/.well-known/jwks.json" });
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.AddHealthFlowJwtBearer();
        _queryApi = builder.Build();
    }

    [Fact]
    public async Task A_ticket_opens_the_stream_29_s_after_it_was_issued()
    {
        var ticket = _issuer.Issue(Clinician());

        _time.Advance(TimeSpan.FromSeconds(29));

        Assert.NotNull(await RedeemAsync(ticket));
    }

    [Fact]
    public async Task A_ticket_is_refused_once_its_30_s_and_the_clock_allowance_have_passed()
    {
        var ticket = _issuer.Issue(Clinician());

        _time.Advance(TimeSpan.FromSeconds(StreamTickets.LifetimeSeconds) + ClockAllowance + TimeSpan.FromSeconds(1));

        Assert.Null(await RedeemAsync(ticket));
    }

    [Fact]
    public async Task A_ticket_is_refused_before_it_was_issued_beyond_the_clock_allowance()
    {
        // A host whose clock is well behind auth-api's: the ticket is not valid yet, so it cannot outlive its 30 s there.
        _time.Advance(TimeSpan.FromMinutes(1));
        var ticket = _issuer.Issue(Clinician());
        var behind = new FakeTimeProvider(_time.GetUtcNow() - ClockAllowance - TimeSpan.FromSeconds(1));

        Assert.Null(await RedeemAsync(ticket, new StreamTicketRedemptions(behind, new InProcessStreamTicketLedger(behind))));
    }

    private Task<ClaimsPrincipal?> RedeemAsync(string ticket, StreamTicketRedemptions? redemptions = null)
    {
        var parameters = _queryApi.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        return (redemptions ?? _queryApi.Services.GetRequiredService<StreamTicketRedemptions>()).RedeemAsync(ticket, parameters, [.. _keys.ValidationKeys]);
    }

    private ClaimsPrincipal Clinician() => new(new ClaimsIdentity(
    [
        new Claim(HealthFlowClaims.Subject, "clinician-" + Guid.NewGuid().ToString("N")[..8]),
        new Claim(HealthFlowClaims.Name, "Ticket Tester"),
        new Claim(HealthFlowClaims.Role, HealthFlowRoles.Clinician),
        new Claim(JwtRegisteredClaimNames.Exp, (IssuedAt + TimeSpan.FromHours(2)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
    ], "test"));

    public void Dispose()
    {
        _queryApi.Dispose();
        _key.Dispose();
    }
}
