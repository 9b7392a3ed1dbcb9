; Inno Setup 6 script: a Windows installer of the one-folder build (dist\emsync, made by installers\emsync.spec).
; Build on Windows, from the repository root (README, "Installing"):
;   py -3.12 -m venv .build-venv
;   .build-venv\Scripts\python -m pip install -e ".[server,dist]"
;   .build-venv\Scripts\python -m PyInstaller --noconfirm --distpath dist --workpath build\pyinstaller installers\emsync.spec
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installers\windows\emsync.iss
; Output: dist\emsync-0.1.0-windows-x64-setup.exe. Not run on the machine this was written on (Linux only).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{5E0B4C1D-8E57-4C57-9A3B-7D1E6C2F9A41}
AppName=EMsync
AppVersion={#AppVersion}
AppVerName=EMsync {#AppVersion}
AppPublisher=EMsync
DefaultDirName={autopf}\EMsync
DefaultGroupName=EMsync
DisableProgramGroupPage=yes
; Per-machine by default; a user without administrator rights may install for themselves only.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=emsync-{#AppVersion}-windows-x64-setup
SetupIconFile=emsync.ico
UninstallDisplayIcon={app}\emsync.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
LicenseFile=..\..\dist\emsync\_internal\THIRD-PARTY-NOTICES.txt

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\emsync\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\EMsync"; Filename: "{app}\emsync.exe"
Name: "{group}\Uninstall EMsync"; Filename: "{uninstallexe}"
Name: "{autodesktop}\EMsync"; Filename: "{app}\emsync.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\emsync.exe"; Description: "{cm:LaunchProgram,EMsync}"; Flags: nowait postinstall skipifsilent

; The user's data (%LOCALAPPDATA%\EMsync) is not touched by uninstalling: it holds patient records.
