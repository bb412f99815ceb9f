//! ECMA-354 application session services (namespace
//! `http://www.ecma-international.org/standards/ecma-354/appl_session`): start, stop and keep
//! alive an application session, with the optional user authentication MX-ONE asks for.

use crate::xml::RawXml;

csta_struct! {
    /// Application-specific session data; MX-ONE and OpenScape carry the login here.
    pub struct ApplicationSpecificInfo {
        user_id: opt String = "userID",
        password: opt String = "password",
        private: opt RawXml = "private",
    }
}

csta_struct! {
    /// Who the application is (ECMA-354 `applicationInfo`).
    pub struct ApplicationInfo {
        application_id: req String = "applicationID",
        application_specific_info: opt ApplicationSpecificInfo = "applicationSpecificInfo",
    }
}

csta_struct! {
    /// The protocol versions offered, each a namespace URI such as the ECMA-323 ed3 one.
    pub struct ProtocolVersionList {
        versions: list String = "protocolVersion",
    }
}

csta_struct! {
    /// Open an application session (ECMA-354 7.1).
    pub struct StartApplicationSession {
        application_info: req ApplicationInfo = "applicationInfo",
        requested_protocol_versions: req ProtocolVersionList = "requestedProtocolVersions",
        requested_session_duration: opt u32 = "requestedSessionDuration",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The session was opened.
    pub struct StartApplicationSessionPosResponse {
        session_id: req String = "sessionID",
        actual_protocol_version: req String = "actualProtocolVersion",
        actual_session_duration: opt u32 = "actualSessionDuration",
        extensions: opt RawXml = "extensions",
    }
}

csta_enum! {
    /// Errors ECMA-354 defines for the session services.
    pub enum DefinedSessionError {
        InvalidApplicationInfo = "invalidApplicationInfo",
        NonSupportedProtocolVersion = "nonSupportedProtocolVersion",
        InvalidSessionDuration = "invalidSessionDuration",
        InvalidSessionId = "invalidSessionID",
        SessionLimitExceeded = "sessionLimitExceeded",
        Unspecified = "unspecified",
    }
}

csta_choice! {
    /// Why a session service failed (ECMA-354 `errorCode`).
    pub enum SessionErrorCode default SessionErrorCode::DefinedError(DefinedSessionError::Unspecified); {
        DefinedError(DefinedSessionError) = "definedError",
        ApplicationSpecific(String) = "applicationSpecific",
    }
}

csta_struct! {
    /// The session was not opened.
    pub struct StartApplicationSessionNegResponse {
        error_code: req SessionErrorCode = "errorCode",
        extensions: opt RawXml = "extensions",
    }
}

csta_enum! {
    /// Reasons ECMA-354 defines for ending a session.
    pub enum DefinedEndReason {
        Normal = "normal",
        ApplicationTimeout = "applicationTimeout",
        InvalidSession = "invalidSession",
    }
}

csta_choice! {
    /// Why a session ends (ECMA-354 `sessionEndReason`).
    pub enum SessionEndReason default SessionEndReason::DefinedEndReason(DefinedEndReason::Normal); {
        DefinedEndReason(DefinedEndReason) = "definedEndReason",
        ApplicationEndReason(String) = "applicationEndReason",
    }
}

csta_struct! {
    /// Close an application session (ECMA-354 7.2).
    pub struct StopApplicationSession {
        session_id: req String = "sessionID",
        session_end_reason: req SessionEndReason = "sessionEndReason",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The session was closed.
    pub struct StopApplicationSessionPosResponse {
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The session could not be closed.
    pub struct StopApplicationSessionNegResponse {
        error_code: req SessionErrorCode = "errorCode",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// Keep a session alive (ECMA-354 7.3).
    pub struct ResetApplicationSessionTimer {
        session_id: req String = "sessionID",
        requested_session_duration: opt u32 = "requestedSessionDuration",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The session timer was reset.
    pub struct ResetApplicationSessionTimerPosResponse {
        actual_session_duration: opt u32 = "actualSessionDuration",
        extensions: opt RawXml = "extensions",
    }
}

csta_struct! {
    /// The session timer could not be reset.
    pub struct ResetApplicationSessionTimerNegResponse {
        error_code: req SessionErrorCode = "errorCode",
        extensions: opt RawXml = "extensions",
    }
}
