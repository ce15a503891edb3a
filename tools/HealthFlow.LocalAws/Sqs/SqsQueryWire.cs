using System.Globalization;
using System.Text;
using System.Xml;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// The SQS query protocol (awsQuery, API version 2012-11-05), which every AWS SDK and tool released
/// before late 2023 speaks, Debian's aws-cli 2.9 included: form fields in, XML out. Lists and maps are
/// flattened into numbered fields (<c>Attribute.1.Name</c>, <c>MessageAttribute.1.Value.DataType</c>,
/// <c>SendMessageBatchRequestEntry.1.Id</c>), as AWS's API model names them.
/// </summary>
internal sealed class SqsQueryWire(HttpContext context, string action, IReadOnlyDictionary<string, string> parameters) : SqsWire(context)
{
    public const string XmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";

    // Clients send the queue URL as a field, or (older SDKs) post to the queue URL itself.
    private string? TargetQueueUrl => parameters.GetValueOrDefault("QueueUrl")
        ?? (Context.Request.Path.Value is { Length: > 1 } path ? Origin + path : null);

    public override ValueTask<T> ReadAsync<T>() => ValueTask.FromResult((T)Read(typeof(T).Name));

    public override Task WriteAsync<T>(T result) => WriteReplyAsync(Context, StatusCodes.Status200OK, xml =>
    {
        xml.WriteStartElement(action + "Response", XmlNamespace);
        xml.WriteStartElement(action + "Result");
        WriteResult(xml, result);
        xml.WriteEndElement();
        WriteResponseMetadata(xml);
    });

    public override Task WriteEmptyAsync() => WriteReplyAsync(Context, StatusCodes.Status200OK, xml =>
    {
        xml.WriteStartElement(action + "Response", XmlNamespace);
        WriteResponseMetadata(xml);
    });

    /// <summary>Writes one XML reply with a Content-Length and the request id in a header and in the body.</summary>
    public static Task WriteReplyAsync(HttpContext context, int status, Action<XmlWriter> write)
    {
        var buffer = new MemoryStream();
        // Entitized line breaks keep a body's \r intact; the MD5 of the body depends on it.
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), NewLineHandling = NewLineHandling.Entitize };
        using (var xml = XmlWriter.Create(buffer, settings))
        {
            write(xml);
            xml.WriteEndDocument();
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/xml";
        response.Headers["x-amzn-RequestId"] = RequestId(context);
        response.ContentLength = buffer.Length;
        return response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }

    /// <summary>One id per request, in the header and in the body, as AWS sends it.</summary>
    public static string RequestId(HttpContext context) =>
        context.Items.TryGetValue(typeof(SqsQueryWire), out var id) ? (string)id! : (string)(context.Items[typeof(SqsQueryWire)] = Guid.NewGuid().ToString());

    private void WriteResponseMetadata(XmlWriter xml)
    {
        xml.WriteStartElement("ResponseMetadata");
        xml.WriteElementString("RequestId", RequestId(Context));
        xml.WriteEndElement();
    }

    // ---- Requests -------------------------------------------------------------------------------

    private object Read(string shape) => shape switch
    {
        nameof(CreateQueueRequest) => new CreateQueueRequest { QueueName = Text("QueueName"), Attributes = Map("Attribute"), Tags = Map("Tag", "Key") },
        nameof(GetQueueUrlRequest) => new GetQueueUrlRequest { QueueName = Text("QueueName"), QueueOwnerAWSAccountId = Text("QueueOwnerAWSAccountId") },
        nameof(QueueUrlRequest) => new QueueUrlRequest { QueueUrl = TargetQueueUrl },
        nameof(GetQueueAttributesRequest) => new GetQueueAttributesRequest { QueueUrl = TargetQueueUrl, AttributeNames = Strings("AttributeName") },
        nameof(SetQueueAttributesRequest) => new SetQueueAttributesRequest { QueueUrl = TargetQueueUrl, Attributes = Map("Attribute") },
        nameof(ListQueuesRequest) => new ListQueuesRequest { QueueNamePrefix = Text("QueueNamePrefix"), MaxResults = Integer("MaxResults"), NextToken = Text("NextToken") },
        nameof(ListDeadLetterSourceQueuesRequest) => new ListDeadLetterSourceQueuesRequest { QueueUrl = TargetQueueUrl, MaxResults = Integer("MaxResults"), NextToken = Text("NextToken") },
        nameof(SendMessageRequest) => Outgoing(new SendMessageRequest { QueueUrl = TargetQueueUrl }, prefix: string.Empty),
        nameof(SendMessageBatchRequest) => new SendMessageBatchRequest
        {
            QueueUrl = TargetQueueUrl,
            Entries = Entries("SendMessageBatchRequestEntry", entry => Outgoing(new SendMessageBatchEntry { Id = Text(entry + "Id") }, entry)),
        },
        nameof(ReceiveMessageRequest) => new ReceiveMessageRequest
        {
            QueueUrl = TargetQueueUrl,
            AttributeNames = Strings("AttributeName"),
            MessageSystemAttributeNames = Strings("MessageSystemAttributeName"),
            MessageAttributeNames = Strings("MessageAttributeName"),
            MaxNumberOfMessages = Integer("MaxNumberOfMessages"),
            VisibilityTimeout = Integer("VisibilityTimeout"),
            WaitTimeSeconds = Integer("WaitTimeSeconds"),
            ReceiveRequestAttemptId = Text("ReceiveRequestAttemptId"),
        },
        nameof(DeleteMessageRequest) => new DeleteMessageRequest { QueueUrl = TargetQueueUrl, ReceiptHandle = Text("ReceiptHandle") },
        nameof(ChangeMessageVisibilityRequest) => new ChangeMessageVisibilityRequest
        {
            QueueUrl = TargetQueueUrl,
            ReceiptHandle = Text("ReceiptHandle"),
            VisibilityTimeout = Integer("VisibilityTimeout"),
        },
        // DeleteMessageBatchRequestEntry.N or ChangeMessageVisibilityBatchRequestEntry.N: one shape, named by the action.
        nameof(ReceiptBatchRequest) => new ReceiptBatchRequest
        {
            QueueUrl = TargetQueueUrl,
            Entries = Entries(action + "RequestEntry", entry => new ReceiptBatchEntry
            {
                Id = Text(entry + "Id"),
                ReceiptHandle = Text(entry + "ReceiptHandle"),
                VisibilityTimeout = Integer(entry + "VisibilityTimeout"),
            }),
        },
        _ => throw new InvalidOperationException($"{shape} has no query-protocol form."),
    };

    /// <summary>The message fields of SendMessage (no prefix) or of a batch entry (<c>SendMessageBatchRequestEntry.N.</c>).</summary>
    private T Outgoing<T>(T message, string prefix) where T : OutgoingMessage
    {
        message.MessageBody = Text(prefix + "MessageBody");
        message.DelaySeconds = Integer(prefix + "DelaySeconds");
        message.MessageAttributes = MessageAttributes(prefix + "MessageAttribute");
        message.MessageSystemAttributes = MessageAttributes(prefix + "MessageSystemAttribute");
        message.MessageDeduplicationId = Text(prefix + "MessageDeduplicationId");
        message.MessageGroupId = Text(prefix + "MessageGroupId");
        return message;
    }

    private string? Text(string name) => parameters.GetValueOrDefault(name);

    private int? Integer(string name)
    {
        if (Text(name) is not { } text)
            return null;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw SqsErrors.InvalidParameterValue($"Value {text} for parameter {name} is invalid. Reason: Must be an integer.");
    }

    private byte[]? Binary(string name)
    {
        if (Text(name) is not { } text)
            return null;
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out int written)
            ? bytes[..written]
            : throw SqsErrors.InvalidParameterValue($"Value for parameter {name} is invalid. Reason: Must be base64-encoded.");
    }

    /// <summary><c>prefix.1</c>, <c>prefix.2</c>, ... up to the first gap.</summary>
    private List<string>? Strings(string prefix)
    {
        List<string>? values = null;
        for (int n = 1; Text($"{prefix}.{n}") is { } value; n++)
            (values ??= []).Add(value);
        return values;
    }

    /// <summary><c>prefix.N.Name</c> / <c>prefix.N.Value</c> pairs (or another key field name).</summary>
    private Dictionary<string, string>? Map(string prefix, string keyField = "Name")
    {
        Dictionary<string, string>? map = null;
        for (int n = 1; Text($"{prefix}.{n}.{keyField}") is { } key; n++)
            (map ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = Text($"{prefix}.{n}.Value") ?? string.Empty;
        return map;
    }

    private Dictionary<string, MessageAttributeValue>? MessageAttributes(string prefix)
    {
        Dictionary<string, MessageAttributeValue>? attributes = null;
        for (int n = 1; Text($"{prefix}.{n}.Name") is { } name; n++)
        {
            string value = $"{prefix}.{n}.Value.";
            (attributes ??= new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal))[name] = new MessageAttributeValue
            {
                DataType = Text(value + "DataType"),
                StringValue = Text(value + "StringValue"),
                BinaryValue = Binary(value + "BinaryValue"),
                // Read only so that they are refused as on the JSON path.
                StringListValues = Strings(value + "StringListValue"),
                BinaryListValues = Strings(value + "BinaryListValue")?.ConvertAll(_ => Array.Empty<byte>()),
            };
        }

        return attributes;
    }

    /// <summary>Batch entries <c>prefix.N.*</c>, up to the first N with no field at all.</summary>
    private List<T>? Entries<T>(string prefix, Func<string, T> read)
    {
        List<T>? entries = null;
        for (int n = 1; ; n++)
        {
            string entry = $"{prefix}.{n}.";
            if (!parameters.Keys.Any(k => k.StartsWith(entry, StringComparison.Ordinal)))
                return entries;
            (entries ??= []).Add(read(entry));
        }
    }

    // ---- Results --------------------------------------------------------------------------------

    private void WriteResult<T>(XmlWriter xml, T result)
    {
        switch (result)
        {
            case QueueUrlResponse r:
                xml.WriteElementString("QueueUrl", r.QueueUrl);
                break;
            case QueueAttributesResponse r:
                WritePairs(xml, "Attribute", r.Attributes);
                break;
            case ListQueuesResponse r:
                WriteQueueUrls(xml, r.QueueUrls, r.NextToken);
                break;
            case ListDeadLetterSourceQueuesResponse r:
                WriteQueueUrls(xml, r.QueueUrls, r.NextToken);
                break;
            case SendMessageResponse r:
                WriteSent(xml, r.MessageId, r.MD5OfMessageBody, r.MD5OfMessageAttributes, r.MD5OfMessageSystemAttributes);
                break;
            case SendMessageBatchResponse r:
                foreach (var entry in r.Successful)
                {
                    xml.WriteStartElement("SendMessageBatchResultEntry");
                    xml.WriteElementString("Id", entry.Id);
                    WriteSent(xml, entry.MessageId, entry.MD5OfMessageBody, entry.MD5OfMessageAttributes, entry.MD5OfMessageSystemAttributes);
                    xml.WriteEndElement();
                }

                WriteFailures(xml, r.Failed);
                break;
            case ReceiptBatchResponse r:
                foreach (var entry in r.Successful)
                {
                    xml.WriteStartElement(action + "ResultEntry");
                    xml.WriteElementString("Id", entry.Id);
                    xml.WriteEndElement();
                }

                WriteFailures(xml, r.Failed);
                break;
            case ReceiveMessageResponse r:
                foreach (var message in r.Messages ?? [])
                    WriteMessage(xml, message);
                break;
            default:
                throw new InvalidOperationException($"{typeof(T).Name} has no query-protocol form.");
        }
    }

    private static void WriteMessage(XmlWriter xml, ReceivedMessage message)
    {
        xml.WriteStartElement("Message");
        xml.WriteElementString("MessageId", message.MessageId);
        xml.WriteElementString("ReceiptHandle", message.ReceiptHandle);
        xml.WriteElementString("MD5OfBody", message.MD5OfBody);
        xml.WriteElementString("Body", message.Body);
        WritePairs(xml, "Attribute", message.Attributes);
        WriteOptional(xml, "MD5OfMessageAttributes", message.MD5OfMessageAttributes);
        foreach (var (name, value) in message.MessageAttributes ?? [])
        {
            xml.WriteStartElement("MessageAttribute");
            xml.WriteElementString("Name", name);
            xml.WriteStartElement("Value");
            WriteOptional(xml, "StringValue", value.StringValue);
            WriteOptional(xml, "BinaryValue", value.BinaryValue is { } binary ? Convert.ToBase64String(binary) : null);
            xml.WriteElementString("DataType", value.DataType);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void WriteSent(XmlWriter xml, string messageId, string bodyMd5, string? attributesMd5, string? systemAttributesMd5)
    {
        xml.WriteElementString("MessageId", messageId);
        xml.WriteElementString("MD5OfMessageBody", bodyMd5);
        WriteOptional(xml, "MD5OfMessageAttributes", attributesMd5);
        WriteOptional(xml, "MD5OfMessageSystemAttributes", systemAttributesMd5);
    }

    private static void WriteFailures(XmlWriter xml, List<BatchResultErrorEntry> failed)
    {
        foreach (var failure in failed)
        {
            xml.WriteStartElement("BatchResultErrorEntry");
            xml.WriteElementString("Id", failure.Id);
            xml.WriteElementString("SenderFault", failure.SenderFault ? "true" : "false");
            xml.WriteElementString("Code", failure.Code);
            xml.WriteElementString("Message", SqsCharacters.Printable(failure.Message));
            xml.WriteEndElement();
        }
    }

    private static void WriteQueueUrls(XmlWriter xml, List<string>? queueUrls, string? nextToken)
    {
        foreach (var url in queueUrls ?? [])
            xml.WriteElementString("QueueUrl", url);
        WriteOptional(xml, "NextToken", nextToken);
    }

    private static void WritePairs(XmlWriter xml, string element, Dictionary<string, string>? pairs)
    {
        foreach (var (name, value) in pairs ?? [])
        {
            xml.WriteStartElement(element);
            xml.WriteElementString("Name", name);
            xml.WriteElementString("Value", value);
            xml.WriteEndElement();
        }
    }

    private static void WriteOptional(XmlWriter xml, string element, string? value)
    {
        if (value is not null)
            xml.WriteElementString(element, value);
    }
}
