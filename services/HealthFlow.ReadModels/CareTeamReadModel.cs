using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Topology;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>A care team as admins list it, and as clinicians see their own.</summary>
public sealed record CareTeamView(Guid CareTeamId, string Name, IReadOnlyList<string> Clinicians, IReadOnlyList<Guid> Patients);

/// <summary>
/// The `care-teams` table. Item layout:
/// <code>
/// teamId     S  partition key
/// member     S  sort key: `team` (the team itself), `clinician#{username}` or `patient#{id}`; partition of `by-member`
/// name       S  on the `team` item
/// active     BOOL  on member items: a member now (true) or removed (false, kept as a tombstone)
/// changeKey  S  the team stream's version of the last event applied to the item (VersionKey): a write lands only
///               if newer, so membership events delivered out of order (SQS standard queues do that) converge in
///               the stream's order. Items written before this key held occurredAt#eventId ("2026-..."), which
///               sorts below every VersionKey, so the next event of the member replaces them.
/// </code>
/// Every membership lookup is a Query: the teams of a clinician on `by-member`, the patients of a team on the
/// table (begins_with `patient#`). Nothing is scanned.
/// </summary>
public sealed class CareTeamReadModel(IAmazonDynamoDB dynamo)
{
    public const string TeamMember = "team";
    public const string ClinicianPrefix = "clinician#";
    public const string PatientPrefix = "patient#";
    private static readonly TableDefinition Table = HealthFlowTopology.Tables.CareTeams;

    /// <summary>
    /// A stream version as a key that sorts as the number does: "v" and 19 digits. "v" sorts after every digit,
    /// so it also orders after the occurredAt keys of older items. Version 0 is the registration's default join.
    /// </summary>
    public static string VersionKey(long version) => "v" + version.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <returns>False when the team item was written already (a redelivery).</returns>
    public Task<bool> ApplyCreatedAsync(Guid teamId, string name, string changeKey, CancellationToken cancellationToken) =>
        PutIfAbsentAsync(new()
        {
            ["teamId"] = S(teamId.ToString()),
            ["member"] = S(TeamMember),
            ["name"] = S(name),
            ["changeKey"] = S(changeKey),
        }, cancellationToken);

    /// <summary>Sets one member's state unless a later change of that member was applied already.</summary>
    /// <returns>False when skipped as older or a duplicate.</returns>
    public async Task<bool> ApplyMembershipAsync(Guid teamId, string member, bool active, string changeKey, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = Table.Name,
                Item = new()
                {
                    ["teamId"] = S(teamId.ToString()),
                    ["member"] = S(member),
                    ["active"] = Bool(active),
                    ["changeKey"] = S(changeKey),
                },
                ConditionExpression = "attribute_not_exists(teamId) OR changeKey < :changeKey",
                ExpressionAttributeValues = new() { [":changeKey"] = S(changeKey) },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>
    /// A patient's registration join of the default team: written only when no event of the team has written that
    /// member yet, and then at version 0, so the team's own assignment or removal of the patient always wins.
    /// </summary>
    /// <returns>False when the member item exists already (a redelivery, or the team decided first).</returns>
    public Task<bool> ApplyDefaultJoinAsync(Guid teamId, string member, CancellationToken cancellationToken) =>
        PutIfAbsentAsync(new()
        {
            ["teamId"] = S(teamId.ToString()),
            ["member"] = S(member),
            ["active"] = Bool(true),
            ["changeKey"] = S(VersionKey(0)),
        }, cancellationToken);

    /// <summary>Puts a member item unless one exists; false when it did (a redelivery, or another write came first).</summary>
    private async Task<bool> PutIfAbsentAsync(Dictionary<string, AttributeValue> item, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = Table.Name,
                Item = item,
                ConditionExpression = "attribute_not_exists(teamId)",
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>The teams a clinician belongs to now.</summary>
    public Task<IReadOnlyList<Guid>> TeamsOfClinicianAsync(string clinicianId, CancellationToken cancellationToken) =>
        TeamsOfMemberAsync(ClinicianPrefix + clinicianId, cancellationToken);

    /// <summary>The teams a patient belongs to now (whose on-call clinicians notifier tells about the patient's alerts).</summary>
    public Task<IReadOnlyList<Guid>> TeamsOfPatientAsync(Guid patientId, CancellationToken cancellationToken) =>
        TeamsOfMemberAsync(PatientPrefix + patientId.ToString("D"), cancellationToken);

    private async Task<IReadOnlyList<Guid>> TeamsOfMemberAsync(string member, CancellationToken cancellationToken)
    {
        var teams = new List<Guid>();
        await foreach (var item in QueryAllAsync(() => new QueryRequest
        {
            TableName = Table.Name,
            IndexName = HealthFlowTopology.Indexes.CareTeamsByMember,
            KeyConditionExpression = "#member = :member",
            FilterExpression = "active = :true",
            ExpressionAttributeNames = new() { ["#member"] = "member" },
            ExpressionAttributeValues = new() { [":member"] = S(member), [":true"] = Bool(true) },
        }, cancellationToken))
        {
            teams.Add(item.GetGuid("teamId"));
        }

        return teams;
    }

    /// <summary>The current patients of one team.</summary>
    public async Task<IReadOnlyList<Guid>> PatientsOfTeamAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var patients = new List<Guid>();
        await foreach (var item in MembersAsync(teamId, PatientPrefix, cancellationToken))
        {
            patients.Add(Guid.Parse(item.GetString("member")[PatientPrefix.Length..]));
        }

        return patients;
    }

    /// <summary>The current clinicians of one team, by username.</summary>
    public async Task<IReadOnlyList<string>> CliniciansOfTeamAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var clinicians = new List<string>();
        await foreach (var item in MembersAsync(teamId, ClinicianPrefix, cancellationToken))
        {
            clinicians.Add(item.GetString("member")[ClinicianPrefix.Length..]);
        }

        return clinicians;
    }

    /// <summary>One team with its current members, or null when it does not exist (yet).</summary>
    public async Task<CareTeamView?> GetAsync(Guid teamId, CancellationToken cancellationToken)
    {
        string? name = null;
        var clinicians = new List<string>();
        var patients = new List<Guid>();
        await foreach (var item in QueryAllAsync(() => new QueryRequest
        {
            TableName = Table.Name,
            KeyConditionExpression = "teamId = :team",
            ExpressionAttributeValues = new() { [":team"] = S(teamId.ToString()) },
        }, cancellationToken))
        {
            var member = item.GetString("member");
            if (member == TeamMember)
            {
                name = item.GetString("name");
            }
            else if (item.GetOptionalBool("active") == true && member.StartsWith(ClinicianPrefix, StringComparison.Ordinal))
            {
                clinicians.Add(member[ClinicianPrefix.Length..]);
            }
            else if (item.GetOptionalBool("active") == true && member.StartsWith(PatientPrefix, StringComparison.Ordinal))
            {
                patients.Add(Guid.Parse(member[PatientPrefix.Length..]));
            }
        }

        return name is null ? null : new CareTeamView(teamId, name, clinicians, patients);
    }

    /// <summary>Every team id, by name (`by-member` partition `team`).</summary>
    public async Task<IReadOnlyList<Guid>> AllTeamIdsAsync(CancellationToken cancellationToken)
    {
        var teams = new List<Guid>();
        await foreach (var item in QueryAllAsync(() => new QueryRequest
        {
            TableName = Table.Name,
            IndexName = HealthFlowTopology.Indexes.CareTeamsByMember,
            KeyConditionExpression = "#member = :team",
            ExpressionAttributeNames = new() { ["#member"] = "member" },
            ExpressionAttributeValues = new() { [":team"] = S(TeamMember) },
        }, cancellationToken))
        {
            teams.Add(item.GetGuid("teamId"));
        }

        return teams;
    }

    private IAsyncEnumerable<Dictionary<string, AttributeValue>> MembersAsync(Guid teamId, string prefix, CancellationToken cancellationToken) =>
        QueryAllAsync(() => new QueryRequest
        {
            TableName = Table.Name,
            KeyConditionExpression = "teamId = :team AND begins_with(#member, :prefix)",
            FilterExpression = "active = :true",
            ExpressionAttributeNames = new() { ["#member"] = "member" },
            ExpressionAttributeValues = new()
            {
                [":team"] = S(teamId.ToString()),
                [":prefix"] = S(prefix),
                [":true"] = Bool(true),
            },
        }, cancellationToken);

    // Membership is read whole (a team's patients, a clinician's teams): every page, not the API page cap.
    private async IAsyncEnumerable<Dictionary<string, AttributeValue>> QueryAllAsync(
        Func<QueryRequest> createRequest, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var request = createRequest();
            request.ExclusiveStartKey = startKey;
            var response = await dynamo.QueryAsync(request, cancellationToken);
            foreach (var item in response.Items ?? [])
            {
                yield return item;
            }

            startKey = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (startKey is not null);
    }
}
