using System.ComponentModel.DataAnnotations;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Features.Calls;

/// <summary>The join form's model: which call, under which nickname.</summary>
public sealed class JoinRequest
{
    [Required(ErrorMessage = "Enter the name of the call.")]
    [RegularExpression("^[a-zA-Z0-9_-]+$", ErrorMessage = SessionNames.Rule)]
    [StringLength(SessionNames.MaxLength, ErrorMessage = SessionNames.Rule)]
    public string SessionName { get; set; } = "";

    [Required(ErrorMessage = ConnectionData.NicknameMissing)]
    [StringLength(ConnectionData.MaxNicknameLength, ErrorMessage = ConnectionData.NicknameTooLong)]
    public string Nickname { get; set; } = "";

    /// <summary>What the browser publishes at join, from the pre-join's devices.</summary>
    public JoinMedia Media { get; set; } = JoinMedia.Default;

    /// <summary>"Participant" and a number, as the OpenVidu tutorials suggest.</summary>
    public static string SuggestNickname() => "Participant" + Random.Shared.Next(1, 100);
}
