using System.Xml.Linq;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace HealthFlow.LocalAws.Tests;

/// <summary>The SQS calls the cross-protocol scenarios make, over one wire format.</summary>
public abstract class SqsWireClient
{
    public abstract Task<string> CreateQueueAsync(string name, Dictionary<string, string>? attributes = null);
    public abstract Task<string> GetQueueUrlAsync(string name);
    public abstract Task SetQueueAttributesAsync(string queueUrl, Dictionary<string, string> attributes);
    public abstract Task<Dictionary<string, string>> GetQueueAttributesAsync(string queueUrl);
    public abstract Task<List<string>> ListQueuesAsync(string prefix);
    public abstract Task PurgeQueueAsync(string queueUrl);
    public abstract Task<SentMessage> SendMessageAsync(string queueUrl, string body, Dictionary<string, WireAttribute>? attributes = null);
    public abstract Task<List<WireMessage>> ReceiveMessagesAsync(string queueUrl, int max = 1, int? visibilityTimeout = null);
    public abstract Task DeleteMessageAsync(string queueUrl, string receiptHandle);
    public abstract Task<BatchOutcome> SendMessageBatchAsync(string queueUrl, List<(string Id, string Body)> entries);
    public abstract Task<BatchOutcome> DeleteMessageBatchAsync(string queueUrl, List<(string Id, string ReceiptHandle)> entries);
}

public sealed record WireAttribute(string DataType, string? StringValue = null, byte[]? BinaryValue = null);

public sealed record SentMessage(string MessageId, string BodyMd5, string? AttributesMd5);

public sealed record WireMessage(
    string MessageId,
    string ReceiptHandle,
    string Body,
    string BodyMd5,
    string? AttributesMd5,
    Dictionary<string, string> Attributes,
    Dictionary<string, WireAttribute> MessageAttributes);

public sealed record BatchOutcome(List<string> Successful, List<(string Id, string Code)> Failed);

/// <summary>An SQS error answer, with the code the client library reports (the query-protocol code on both wires).</summary>
public sealed class SqsCallFailedException(string code, string message) : Exception($"{code}: {message}")
{
    public string Code { get; } = code;
}

/// <summary>The JSON protocol, through the official .NET SDK, which also verifies every MD5.</summary>
public sealed class SdkJsonClient(AmazonSQSClient sqs) : SqsWireClient
{
    public override Task<string> CreateQueueAsync(string name, Dictionary<string, string>? attributes = null) =>
        Call(async () => (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes })).QueueUrl);

    public override Task<string> GetQueueUrlAsync(string name) => Call(async () => (await sqs.GetQueueUrlAsync(name)).QueueUrl);

    public override Task SetQueueAttributesAsync(string queueUrl, Dictionary<string, string> attributes) =>
        Call(() => sqs.SetQueueAttributesAsync(queueUrl, attributes));

    public override Task<Dictionary<string, string>> GetQueueAttributesAsync(string queueUrl) =>
        Call(async () => (await sqs.GetQueueAttributesAsync(queueUrl, ["All"])).Attributes);

    public override Task<List<string>> ListQueuesAsync(string prefix) =>
        Call(async () => (await sqs.ListQueuesAsync(prefix)).QueueUrls ?? []);

    public override Task PurgeQueueAsync(string queueUrl) => Call(() => sqs.PurgeQueueAsync(queueUrl));

    public override Task<SentMessage> SendMessageAsync(string queueUrl, string body, Dictionary<string, WireAttribute>? attributes = null) =>
        Call(async () =>
        {
            var sent = await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = body, MessageAttributes = ToSdk(attributes) });
            return new SentMessage(sent.MessageId, sent.MD5OfMessageBody, sent.MD5OfMessageAttributes);
        });

    public override Task<List<WireMessage>> ReceiveMessagesAsync(string queueUrl, int max = 1, int? visibilityTimeout = null) =>
        Call(async () =>
        {
            var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = max,
                VisibilityTimeout = visibilityTimeout,
                MessageSystemAttributeNames = ["All"],
                MessageAttributeNames = ["All"],
            });
            return (received.Messages ?? []).Select(m => new WireMessage(
                m.MessageId, m.ReceiptHandle, m.Body, m.MD5OfBody, m.MD5OfMessageAttributes, m.Attributes ?? [],
                (m.MessageAttributes ?? []).ToDictionary(a => a.Key, a => new WireAttribute(a.Value.DataType, a.Value.StringValue, a.Value.BinaryValue?.ToArray())))).ToList();
        });

    public override Task DeleteMessageAsync(string queueUrl, string receiptHandle) => Call(() => sqs.DeleteMessageAsync(queueUrl, receiptHandle));

    public override Task<BatchOutcome> SendMessageBatchAsync(string queueUrl, List<(string Id, string Body)> entries) =>
        Call(async () =>
        {
            var result = await sqs.SendMessageBatchAsync(queueUrl, entries.ConvertAll(e => new SendMessageBatchRequestEntry(e.Id, e.Body)));
            return new BatchOutcome((result.Successful ?? []).ConvertAll(s => s.Id), (result.Failed ?? []).ConvertAll(f => (f.Id, f.Code)));
        });

    public override Task<BatchOutcome> DeleteMessageBatchAsync(string queueUrl, List<(string Id, string ReceiptHandle)> entries) =>
        Call(async () =>
        {
            var result = await sqs.DeleteMessageBatchAsync(queueUrl, entries.ConvertAll(e => new DeleteMessageBatchRequestEntry(e.Id, e.ReceiptHandle)));
            return new BatchOutcome((result.Successful ?? []).ConvertAll(s => s.Id), (result.Failed ?? []).ConvertAll(f => (f.Id, f.Code)));
        });

    private static Dictionary<string, MessageAttributeValue>? ToSdk(Dictionary<string, WireAttribute>? attributes) =>
        attributes?.ToDictionary(a => a.Key, a => new MessageAttributeValue
        {
            DataType = a.Value.DataType,
            StringValue = a.Value.StringValue,
            BinaryValue = a.Value.BinaryValue is { } binary ? new MemoryStream(binary) : null,
        });

    private static Task Call(Func<Task> call) => Call(async () => { await call(); return true; });

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonSQSException error)
        {
            throw new SqsCallFailedException(error.ErrorCode, error.Message);
        }
    }
}

/// <summary>The query protocol as it is on the wire: form fields posted with HttpClient, XML parsed back.</summary>
public sealed class RawQueryClient(HttpClient http) : SqsWireClient
{
    public static readonly XNamespace Sqs = "http://queue.amazonaws.com/doc/2012-11-05/";

    public override async Task<string> CreateQueueAsync(string name, Dictionary<string, string>? attributes = null) =>
        (await CallAsync("CreateQueue", [("QueueName", name), .. Pairs("Attribute", attributes)])).Element(Sqs + "QueueUrl")!.Value;

    public override async Task<string> GetQueueUrlAsync(string name) =>
        (await CallAsync("GetQueueUrl", [("QueueName", name)])).Element(Sqs + "QueueUrl")!.Value;

    public override Task SetQueueAttributesAsync(string queueUrl, Dictionary<string, string> attributes) =>
        CallAsync("SetQueueAttributes", [("QueueUrl", queueUrl), .. Pairs("Attribute", attributes)]);

    public override async Task<Dictionary<string, string>> GetQueueAttributesAsync(string queueUrl) =>
        PairsOf(await CallAsync("GetQueueAttributes", [("QueueUrl", queueUrl), ("AttributeName.1", "All")]), "Attribute");

    public override async Task<List<string>> ListQueuesAsync(string prefix) =>
        [.. (await CallAsync("ListQueues", [("QueueNamePrefix", prefix)])).Elements(Sqs + "QueueUrl").Select(e => e.Value)];

    public override Task PurgeQueueAsync(string queueUrl) => CallAsync("PurgeQueue", [("QueueUrl", queueUrl)]);

    public override async Task<SentMessage> SendMessageAsync(string queueUrl, string body, Dictionary<string, WireAttribute>? attributes = null)
    {
        var fields = new List<(string, string)> { ("QueueUrl", queueUrl), ("MessageBody", body) };
        int n = 0;
        foreach (var (name, value) in attributes ?? [])
        {
            string prefix = $"MessageAttribute.{++n}.";
            fields.Add((prefix + "Name", name));
            fields.Add((prefix + "Value.DataType", value.DataType));
            if (value.StringValue is not null)
                fields.Add((prefix + "Value.StringValue", value.StringValue));
            if (value.BinaryValue is not null)
                fields.Add((prefix + "Value.BinaryValue", Convert.ToBase64String(value.BinaryValue)));
        }

        var result = await CallAsync("SendMessage", fields);
        return new SentMessage(Text(result, "MessageId")!, Text(result, "MD5OfMessageBody")!, Text(result, "MD5OfMessageAttributes"));
    }

    public override async Task<List<WireMessage>> ReceiveMessagesAsync(string queueUrl, int max = 1, int? visibilityTimeout = null)
    {
        var fields = new List<(string, string)>
        {
            ("QueueUrl", queueUrl), ("MaxNumberOfMessages", $"{max}"), ("AttributeName.1", "All"), ("MessageAttributeName.1", "All"),
        };
        if (visibilityTimeout is { } seconds)
            fields.Add(("VisibilityTimeout", $"{seconds}"));
        var result = await CallAsync("ReceiveMessage", fields);
        return [.. result.Elements(Sqs + "Message").Select(m => new WireMessage(
            Text(m, "MessageId")!,
            Text(m, "ReceiptHandle")!,
            Text(m, "Body")!,
            Text(m, "MD5OfBody")!,
            Text(m, "MD5OfMessageAttributes"),
            PairsOf(m, "Attribute"),
            m.Elements(Sqs + "MessageAttribute").ToDictionary(
                a => Text(a, "Name")!,
                a => a.Element(Sqs + "Value") is var value && Text(value!, "BinaryValue") is { } binary
                    ? new WireAttribute(Text(value!, "DataType")!, BinaryValue: Convert.FromBase64String(binary))
                    : new WireAttribute(Text(value!, "DataType")!, Text(value!, "StringValue")))))];
    }

    public override Task DeleteMessageAsync(string queueUrl, string receiptHandle) =>
        CallAsync("DeleteMessage", [("QueueUrl", queueUrl), ("ReceiptHandle", receiptHandle)]);

    public override Task<BatchOutcome> SendMessageBatchAsync(string queueUrl, List<(string Id, string Body)> entries) =>
        BatchAsync("SendMessageBatch", queueUrl, entries.ConvertAll(e => (e.Id, "MessageBody", e.Body)));

    public override Task<BatchOutcome> DeleteMessageBatchAsync(string queueUrl, List<(string Id, string ReceiptHandle)> entries) =>
        BatchAsync("DeleteMessageBatch", queueUrl, entries.ConvertAll(e => (e.Id, "ReceiptHandle", e.ReceiptHandle)));

    private async Task<BatchOutcome> BatchAsync(string action, string queueUrl, List<(string Id, string Field, string Value)> entries)
    {
        var fields = new List<(string, string)> { ("QueueUrl", queueUrl) };
        for (int i = 0; i < entries.Count; i++)
        {
            fields.Add(($"{action}RequestEntry.{i + 1}.Id", entries[i].Id));
            fields.Add(($"{action}RequestEntry.{i + 1}.{entries[i].Field}", entries[i].Value));
        }

        var result = await CallAsync(action, fields);
        return new BatchOutcome(
            [.. result.Elements(Sqs + $"{action}ResultEntry").Select(e => Text(e, "Id")!)],
            [.. result.Elements(Sqs + "BatchResultErrorEntry").Select(e => (Text(e, "Id")!, Text(e, "Code")!))]);
    }

    /// <summary>Posts one action; returns its …Result element (empty for actions without one), or throws the error's code.</summary>
    public async Task<XElement> CallAsync(string action, IEnumerable<(string Name, string Value)> fields)
    {
        using var content = new FormUrlEncodedContent([new("Action", action), new("Version", "2012-11-05"), .. fields.Select(f => KeyValuePair.Create(f.Name, f.Value))]);
        using var response = await http.PostAsync("/", content);
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync());
        if (!response.IsSuccessStatusCode)
        {
            var error = document.Root!.Element(Sqs + "Error")!;
            throw new SqsCallFailedException(Text(error, "Code")!, Text(error, "Message")!);
        }

        Assert.Equal(Sqs + $"{action}Response", document.Root!.Name);
        Assert.False(string.IsNullOrEmpty(document.Root.Element(Sqs + "ResponseMetadata")?.Element(Sqs + "RequestId")?.Value));
        return document.Root.Element(Sqs + $"{action}Result") ?? new XElement(Sqs + $"{action}Result");
    }

    private static IEnumerable<(string, string)> Pairs(string prefix, Dictionary<string, string>? pairs) =>
        (pairs ?? []).SelectMany((pair, i) => new[] { ($"{prefix}.{i + 1}.Name", pair.Key), ($"{prefix}.{i + 1}.Value", pair.Value) });

    private static Dictionary<string, string> PairsOf(XElement parent, string element) =>
        parent.Elements(Sqs + element).ToDictionary(e => Text(e, "Name")!, e => Text(e, "Value")!);

    private static string? Text(XElement parent, string element) => parent.Element(Sqs + element)?.Value;
}
