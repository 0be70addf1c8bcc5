; Inno Setup 6 script (6.3 or later: x64compatible) of the desk: per-user install, Start-menu
; shortcut, in-place upgrade.
;
; Build the bundle first (installer/build.sh, or on Windows in a venv:
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\counter-app.spec)
; then compile this script:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installer\windows\counter-app.iss
; Output: dist\QuayMotCua-<version>-setup.exe
;
; The program goes to %LOCALAPPDATA%\Programs\QuayMotCua (no administrator needed); the station's
; data (database, backups, scans) lives in %LOCALAPPDATA%\QuayMotCua, which is never inside the
; program folder and which neither an upgrade nor an uninstall touches. Inno Setup ships no
; Vietnamese messages file, so the wizard's words are given in Vietnamese below ([Messages]).

#define AppName "Quầy Một Cửa"
#define AppFolder "QuayMotCua"
#define AppExe "QuayMotCua.exe"
#define CliExe "counter-app.exe"
#define BundleDir "..\..\dist\QuayMotCua"
; The version comes from the bundle (written by the PyInstaller spec from counter_app.__version__).
#define VersionFile FileOpen(AddBackslash(SourcePath) + BundleDir + "\_internal\VERSION")
#if VersionFile == 0
  #error dist\QuayMotCua\_internal\VERSION is missing: build the bundle first (installer/build.sh)
#endif
#define AppVersion Trim(FileRead(VersionFile))
#expr FileClose(VersionFile)

[Setup]
; Never change the AppId: an upgrade finds the installed copy by it.
AppId={{3836C301-1CED-40F5-A6BA-9457308CFA00}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Per-user install: {autopf} is %LOCALAPPDATA%\Programs when installing without elevation.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppFolder}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; An upgrade closes the running window first (Restart Manager) and replaces the files in place.
CloseApplications=yes
RestartApplications=no
SetupIconFile=..\..\resources\icons\counter-app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
OutputDir=..\..\dist
OutputBaseFilename={#AppFolder}-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "vi"; MessagesFile: "compiler:Default.isl"

[Messages]
vi.SetupAppTitle=Cài đặt
vi.SetupWindowTitle=Cài đặt - %1
vi.UninstallAppTitle=Gỡ cài đặt
vi.UninstallAppFullTitle=Gỡ cài đặt %1
vi.InformationTitle=Thông tin
vi.ConfirmTitle=Xác nhận
vi.ErrorTitle=Lỗi
vi.SetupAppRunningError=%1 đang chạy.%n%nHãy đóng chương trình rồi bấm OK để tiếp tục, hoặc Hủy để thoát.
vi.UninstallAppRunningError=%1 đang chạy.%n%nHãy đóng chương trình rồi bấm OK để tiếp tục, hoặc Hủy để thoát.
vi.ExitSetupTitle=Thoát cài đặt
vi.ExitSetupMessage=Chưa cài đặt xong. Nếu thoát bây giờ, chương trình sẽ không được cài.%n%nCó thể chạy lại bộ cài vào lúc khác.%n%nThoát cài đặt?
vi.ButtonBack=< &Quay lại
vi.ButtonNext=&Tiếp >
vi.ButtonInstall=&Cài đặt
vi.ButtonOK=OK
vi.ButtonCancel=Hủy
vi.ButtonYes=&Có
vi.ButtonYesToAll=Có với &tất cả
vi.ButtonNo=&Không
vi.ButtonNoToAll=K&hông với tất cả
vi.ButtonFinish=&Xong
vi.ButtonBrowse=&Chọn...
vi.ButtonWizardBrowse=C&họn...
vi.ButtonNewFolder=&Tạo thư mục mới
vi.ClickNext=Bấm Tiếp để tiếp tục, hoặc Hủy để thoát.
vi.BrowseDialogTitle=Chọn thư mục
vi.BrowseDialogLabel=Chọn một thư mục trong danh sách rồi bấm OK.
vi.NewFolderName=Thư mục mới
vi.WelcomeLabel1=Cài đặt [name]
vi.WelcomeLabel2=Bộ cài sẽ cài [name/ver] vào máy này.%n%nDữ liệu hồ sơ của quầy (nếu đã có) được giữ nguyên.
vi.WizardSelectDir=Chọn nơi cài đặt
vi.SelectDirDesc=Cài [name] vào đâu?
vi.SelectDirLabel3=Bộ cài sẽ cài [name] vào thư mục sau.
vi.SelectDirBrowseLabel=Bấm Tiếp để tiếp tục. Muốn chọn thư mục khác, bấm Chọn.
vi.DiskSpaceMBLabel=Cần ít nhất [mb] MB dung lượng đĩa trống.
vi.DirExistsTitle=Thư mục đã có
vi.DirExists=Thư mục:%n%n%1%n%nđã có. Vẫn cài vào thư mục đó?
vi.DirDoesntExistTitle=Thư mục chưa có
vi.DirDoesntExist=Thư mục:%n%n%1%n%nchưa có. Tạo thư mục này?
vi.WizardSelectTasks=Chọn việc làm thêm
vi.SelectTasksDesc=Làm thêm những việc nào?
vi.SelectTasksLabel2=Chọn những việc bộ cài làm thêm khi cài [name], rồi bấm Tiếp.
vi.WizardReady=Sẵn sàng cài đặt
vi.ReadyLabel1=Bộ cài đã sẵn sàng cài [name] vào máy này.
vi.ReadyLabel2a=Bấm Cài đặt để bắt đầu, hoặc Quay lại để xem lại hay thay đổi lựa chọn.
vi.ReadyLabel2b=Bấm Cài đặt để bắt đầu.
vi.ReadyMemoDir=Nơi cài đặt:
vi.ReadyMemoGroup=Thư mục trong menu Start:
vi.ReadyMemoTasks=Việc làm thêm:
vi.WizardPreparing=Chuẩn bị cài đặt
vi.PreparingDesc=Bộ cài đang chuẩn bị cài [name] vào máy này.
vi.CannotContinue=Không thể tiếp tục. Bấm Hủy để thoát.
vi.ApplicationsFound=Các chương trình sau đang dùng tệp cần cập nhật. Nên để bộ cài tự đóng chúng.
vi.ApplicationsFound2=Các chương trình sau đang dùng tệp cần cập nhật. Nên để bộ cài tự đóng chúng; cài xong, bộ cài sẽ mở lại.
vi.CloseApplications=&Tự động đóng các chương trình
vi.DontCloseApplications=&Không đóng các chương trình
vi.ErrorCloseApplications=Bộ cài không tự đóng được mọi chương trình. Hãy tự đóng các chương trình đang dùng tệp cần cập nhật rồi tiếp tục.
vi.WizardInstalling=Đang cài đặt
vi.InstallingLabel=Vui lòng chờ trong khi bộ cài cài [name] vào máy này.
vi.FinishedHeadingLabel=Đã cài xong [name]
vi.FinishedLabelNoIcons=Đã cài xong [name] vào máy này.
vi.FinishedLabel=Đã cài xong [name] vào máy này. Mở chương trình từ biểu tượng trong menu Start.
vi.ClickFinish=Bấm Xong để thoát bộ cài.
vi.RunEntryExec=Mở %1
vi.SetupAborted=Chưa cài đặt xong.%n%nHãy khắc phục sự cố rồi chạy lại bộ cài.
vi.StatusClosingApplications=Đang đóng các chương trình...
vi.StatusCreateDirs=Đang tạo thư mục...
vi.StatusExtractFiles=Đang chép tệp...
vi.StatusCreateIcons=Đang tạo lối tắt...
vi.StatusCreateRegistryEntries=Đang ghi sổ đăng ký...
vi.StatusSavingUninstall=Đang lưu thông tin gỡ cài đặt...
vi.StatusRunProgram=Đang hoàn tất...
vi.StatusRollback=Đang hoàn lại các thay đổi...
vi.ConfirmUninstall=Gỡ bỏ %1 khỏi máy này?%n%nDữ liệu hồ sơ của quầy (thư mục AppData\Local\QuayMotCua của người dùng) được giữ lại.
vi.UninstallStatusLabel=Vui lòng chờ trong khi gỡ %1 khỏi máy này.
vi.UninstalledAll=Đã gỡ %1 khỏi máy này. Dữ liệu hồ sơ của quầy vẫn còn nguyên.
vi.UninstalledMost=Đã gỡ %1.%n%nMột số mục không gỡ được; có thể xóa chúng bằng tay.
vi.WizardUninstalling=Gỡ cài đặt
vi.StatusUninstalling=Đang gỡ %1...

[CustomMessages]
vi.AdditionalIcons=Lối tắt:
vi.CreateDesktopIcon=Tạo lối tắt trên màn hình &nền
vi.CommandLineShortcut=Quầy Một Cửa - dòng lệnh
vi.DataFolderShortcut=Quầy Một Cửa - thư mục dữ liệu
vi.UninstallShortcut=Gỡ cài đặt Quầy Một Cửa
vi.LaunchProgram=Mở %1

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the libraries whole (no stale module of the previous version is left).
Type: filesandordirs; Name: "{app}\_internal"

[Dirs]
; The station's data folder (platformdirs: %LOCALAPPDATA%\QuayMotCua): kept on uninstall.
Name: "{localappdata}\{#AppFolder}"; Flags: uninsneveruninstall

[Files]
Source: "{#BundleDir}\{#AppExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\{#CliExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "Tiếp nhận và trả kết quả hồ sơ"
Name: "{group}\{cm:CommandLineShortcut}"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#CliExe}"" --help"; WorkingDir: "{app}"
Name: "{group}\{cm:DataFolderShortcut}"; Filename: "{localappdata}\{#AppFolder}"
Name: "{group}\{cm:UninstallShortcut}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself left in its own folder; never the data folder.
Type: filesandordirs; Name: "{app}\_internal"
