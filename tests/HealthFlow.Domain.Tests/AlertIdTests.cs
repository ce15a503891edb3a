using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.CheckIns;
using UUIDNext;

namespace HealthFlow.Domain.Tests;

public class AlertIdTests
{
    private static readonly Guid EventA = Guid.Parse("0b4f6a52-9a84-4c34-8f5e-1b2c3d4e5f60");
    private static readonly Guid EventB = Guid.Parse("6c1d9a0e-2f3b-4d5c-9e8f-7a6b5c4d3e2f");

    [Fact]
    public void A_redelivered_observation_gets_the_same_alert_id() =>
        Assert.Equal(AlertId.For(EventA), AlertId.For(EventA));

    [Fact]
    public void Each_observation_gets_its_own_alert_id() =>
        Assert.NotEqual(AlertId.For(EventA), AlertId.For(EventB));

    [Fact]
    public void Alert_id_is_an_RFC_4122_version_5_uuid()
    {
        var id = AlertId.For(EventA);

        Assert.Equal(5, id.Version);
        Assert.Equal(0b10, id.ToByteArray(bigEndian: true)[8] >> 6);
    }

    [Fact]
    public void Alert_id_is_the_SHA1_name_based_uuid_of_the_observation_id_in_the_HealthFlow_namespace() =>
        Assert.Equal(ReferenceUuidV5(AlertId.Namespace, $"{EventA:D}"), AlertId.For(EventA));

    [Fact]
    public void A_retried_check_in_with_the_same_idempotency_key_gets_the_same_observation_id() =>
        Assert.Equal(ObservationId.For(EventA, "key-1"), ObservationId.For(EventA, "key-1"));

    [Fact]
    public void The_same_idempotency_key_of_two_patients_names_two_observations() =>
        Assert.NotEqual(ObservationId.For(EventA, "key-1"), ObservationId.For(EventB, "key-1"));

    [Fact]
    public void Observation_id_with_a_key_is_the_SHA1_name_based_uuid_of_patient_and_key() =>
        Assert.Equal(ReferenceUuidV5(ObservationId.Namespace, $"{EventA:D}/key-1"), ObservationId.For(EventA, "key-1"));

    [Fact]
    public void Observation_id_without_a_key_is_a_fresh_time_ordered_uuid()
    {
        var first = ObservationId.For(EventA, null);
        var second = ObservationId.For(EventA, null);

        Assert.Equal(7, first.Version);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void The_uuid_library_matches_the_published_v5_of_www_example_com()
    {
        var dnsNamespace = Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

        Assert.Equal(Guid.Parse("2ed6657d-e927-568b-95e1-2665a8aea6a2"), Uuid.NewNameBased(dnsNamespace, "www.example.com"));
    }

    // RFC 4122 section 4.3, written out independently of UUIDNext.
    private static Guid ReferenceUuidV5(Guid ns, string name)
    {
        var input = ns.ToByteArray(bigEndian: true).Concat(Encoding.UTF8.GetBytes(name)).ToArray();
        var hash = SHA1.HashData(input).AsSpan(0, 16).ToArray();
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash, bigEndian: true);
    }
}
