"""The example plan: the responsibility breakdown (三、责任分解) of seed 002's 西办全民反诈 plan.

Eleven measures, each with its lead units (牵头单位) and responsible units
(责任单位) as the seed names them. 各部门 / 各社区 / 辖区各银行 stand for every
department, community and bank of the street the plan is loaded into.
Deadlines are (month, day) in the plan's year; the seed's only dated target
is measure 4 (app installs complete by the end of September).
"""

TITLE = "全民反诈宣传防范工作方案"
ALL_DEPARTMENTS = "各部门"
ALL_COMMUNITIES = "各社区"
ALL_BANKS = "辖区各银行"
EVERYONE = [ALL_DEPARTMENTS, ALL_COMMUNITIES]

# The seed's short unit names, and words by which a street's own units of that name are found
# (the first unit whose name contains one of them, in this order); a unit not found is created.
ALIASES = {
    "办平安办": ["平安办", "平安建设办公室"],
    "办纪工委": ["纪工委", "纪检"],
    "办科宣中心": ["科宣", "党群服务中心"],
    "西街派出所": ["派出所"],
    "便民服务大厅": ["便民服务"],
    "区市场监管局西南分局": ["市场监管"],
    "西秀区城市管理监察队一中队": ["城市管理监察", "综合行政执法"],
    "党政办": ["党政办"],
    "财政分局": ["财政"],
}

MEASURES = [
    {
        "title": "统筹协调、指挥调度，定期召开专题会议、开展督导检查、通报工作情况",
        "content": "充分发挥平安办统筹协调、指挥调度工作职责，督促各部门落实反诈宣传工作措施，定期组织召开专题会议，"
                   "定期开展督导检查，适时通报工作情况。",
        "lead": ["办平安办", "办纪工委"],
        "responsible": EVERYONE,
    },
    {
        "title": "门户网站、微信公众号及户外广告牌开设反诈宣传板块或专栏",
        "content": "在办门户网站、微信公众号及辖区内大型户外宣传广告牌等开设反诈宣传板块或专栏，植入反诈公益广告、"
                   "反诈微电影、反诈公益宣传片等内容。",
        "lead": ["办科宣中心"],
        "responsible": EVERYONE,
    },
    {
        "title": "搜集案件素材、研究发案规律，人员密集区域宣传12337平台和国家反诈中心APP",
        "content": "全面搜集、整理养老诈骗、新型电诈案件的鲜活素材提供给各部门作宣传资料；研究两诈发案规律，做到精准预测、"
                   "预警推送；在居民区、医院、学校、企业、商场、娱乐场所等人员密集区域，大张旗鼓地开展12337智能化举报平台、"
                   "国家反诈中心APP安装使用的宣传工作，发放宣传资料、张贴警务公开栏、社区治安预报栏；通过户外LED大屏，"
                   "持续滚动播放全民反诈的标语、知识或宣传片。",
        "lead": ["西街派出所"],
        "responsible": EVERYONE,
    },
    {
        "title": "各社区召开动员大会，开展六进宣传，推广国家反诈中心APP（9月底前完成100%）",
        "content": "各社区召开养老诈骗、电信网络诈骗宣传防范工作动员大会；发挥一中心一张网十联户机制作用，组织网格员、"
                   "平安专干、联户长每季度至少开展2-3次六进反诈宣传活动；每季度针对单位职工特别是财务管理等高危岗位开展"
                   "防范宣传教育；全面发动群众安装使用国家反诈中心APP，各部门、各社区在7月底以前要完成辖区30%，"
                   "8月底以前完成60%，9月底以前完成100%。",
        "lead": ["办平安办", "西街派出所"],
        "responsible": EVERYONE,
        "deadline": (9, 30),
    },
    {
        "title": "中小学校、幼儿园教职员工和学生的反诈宣传教育",
        "content": "抓好辖区中小学校、幼儿园教职员工的反诈宣传教育，每学期至少组织开展2次反诈宣传活动；组织辖区高中学校"
                   "利用校园广播每天定时播放反诈语音；督导各中小学校通过小手拉大手方式，提升12337举报平台、国家反诈中心APP的"
                   "参与率、知晓率。",
        "lead": ["办科宣中心"],
        "responsible": ["西街派出所"],
    },
    {
        "title": "服务窗口发放反诈宣传资料",
        "content": "把反诈宣传纳入服务窗口，向办理业务的人员发放反诈宣传资料。",
        "lead": ["便民服务大厅"],
        "responsible": EVERYONE,
    },
    {
        "title": "营业性影院放映前播放反诈微电影",
        "content": "组织和督促辖区的营业性影院，在每场影片正式放映前至少播放一次反诈微电影（时长5分钟左右），确保所有影院"
                   "全覆盖、所有影室无遗漏、每场播放不间断。",
        "lead": ["办科宣中心"],
        "responsible": EVERYONE,
    },
    {
        "title": "银行网点播放反诈公益广告，落实大额转账提醒和可疑账户报告",
        "content": "组织辖区所有银行网点利用门头LED屏常态化地播放反诈公益广告，在等候大厅的电视滚动播放反诈公益宣传片，"
                   "在存取款一体机滚动播放反诈语音提示；督促所有银行金融机构严格落实柜台大额转账汇款反诈提醒、可疑账户情况"
                   "报告等制度，及时阻断被骗赃款转移通道。",
        "lead": ["西街派出所"],
        "responsible": [ALL_BANKS],
    },
    {
        "title": "超市、菜场等区域的反诈防诈宣传",
        "content": "加强对辖区内所有超市、菜场等区域的反诈防诈宣传，充分利用悬挂反诈宣传标语、张贴反诈宣传海报，"
                   "滚动播报防骗知识小喇叭等方式，全面开展反诈防诈宣传。",
        "lead": ["区市场监管局西南分局", "西秀区城市管理监察队一中队"],
        "responsible": EVERYONE,
    },
    {
        "title": "工作经费及后勤保障，完成领导小组交办的其他任务",
        "content": "做好此次全办全民反诈宣传防范工作经费及后勤保障工作，完成好领导小组交办的其他任务。",
        "lead": ["党政办", "财政分局"],
        "responsible": EVERYONE,
    },
    {
        "title": "督导检查各部门、社区工作，对不落实的通报批评、限期整改",
        "content": "对各部门、社区工作情况开展督导检查，对工作不落实、措施不到位的部门、社区及相关工作人员，将采取通报批评、"
                   "限期整改等措施，确保行动快、见成效。",
        "lead": ["办纪工委", "办平安办"],
        "responsible": EVERYONE,
    },
]
