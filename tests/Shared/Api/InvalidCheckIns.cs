namespace HealthFlow.Testing;

/// <summary>Check-in bodies command-api must refuse, each with the field its problem names.</summary>
public static class InvalidCheckIns
{
    public static TheoryData<string, string> WithTheirField => new()
    {
        { """{"score": 11}""", "score" },
        { """{"score": 0}""", "score" },
        { """{"score": 7.5}""", "score" },
        { """{"score": "7"}""", "score" },
        { """{"score": true}""", "score" },
        { """{"heartRate": 400}""", "heartRate" },
        { """{"oxygenSaturation": 101}""", "oxygenSaturation" },
        { """{"temperature": "hot"}""", "temperature" },
        { """{"consciousness": "asleep"}""", "consciousness" },
        { """{"onSupplementalOxygen": "yes"}""", "onSupplementalOxygen" },
        { """{"score": 5, "measuredAt": "2999-01-01T00:00:00Z"}""", "measuredAt" },
        { """{"score": 5, "patient_id": "someone-else"}""", "patient_id" },
        { """{"note": "only a note"}""", "measurements" },
        { """{"score": 5, "note": "a lone surrogate \udfff"}""", "note" },
        { """{}""", "measurements" },
    };

    /// <summary>A check-in posted as it arrives, whatever its body and content type.</summary>
    public static async Task<HttpResponseMessage> PostRawAsync(HealthFlowApi api, HealthFlowApi.Session session, string body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observations")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, contentType),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", session.AccessToken);
        return await api.Http.SendAsync(request);
    }
}
